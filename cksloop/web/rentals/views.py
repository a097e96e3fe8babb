"""Every rentals page module, imported so their views join the one ``rentals`` blueprint."""
from cksloop.web.rentals import care, lists, pool, returns, routes  # noqa: F401  (each adds its views to bp)
from cksloop.web.rentals.blueprint import bp

__all__ = ["bp"]
