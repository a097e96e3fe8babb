"""The overstock blueprint with all its pages registered (the review and its drill-down, then the settings)."""
from cksloop.web.overstock import settings  # noqa: F401  (registers the rules and plans pages)
from cksloop.web.overstock.routes import bp

__all__ = ["bp"]
