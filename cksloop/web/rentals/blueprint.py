"""The ``rentals`` blueprint object, shared by the page modules (lists and exports, actions)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rentals", __name__)
