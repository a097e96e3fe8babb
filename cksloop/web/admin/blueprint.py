"""The admin blueprint, on its own so each admin page module can add its views to it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
