"""The one link to a garment's page: pages, templates (a global) and API answers all use it."""
from __future__ import annotations

from flask import url_for


def garment_url(code: str) -> str:
    """The garment's page for staff."""
    return url_for("garments.detail", code=code)
