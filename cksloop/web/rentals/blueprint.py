"""The ``rentals`` blueprint object, shared by the page views and the API views."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rentals", __name__)
