"""Every buyers page module, imported so their views join the one ``buyers`` blueprint."""
from cksloop.web.buyers import buyer_pages, lot_pages  # noqa: F401  (each adds its views to bp)
from cksloop.web.buyers.blueprint import bp

__all__ = ["bp"]
