"""The API blueprint with every resource's views on it (one module per resource, imported here)."""
from __future__ import annotations

from flask import Blueprint


def api_blueprint() -> Blueprint:
    """The one /api/v1 blueprint; importing the resource modules registers their views on it."""
    from cksloop.web.api import (buyers, charter, document, garments, labels, me, offcut_lots,  # noqa: F401
                                 overstock, overstock_reviews, rentals, reports, scans, workshops)
    from cksloop.web.api import buyer_proof, disclosure  # noqa: F401  # issue 14: proof, unsold-goods disclosure
    from cksloop.web.api.blueprint import bp

    return bp
