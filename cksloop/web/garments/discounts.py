"""Discounted sales: the store discounts given, for merchandisers to review (issue 12 §4.3)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import format_datetime

from cksloop.domain.lifecycle import Role
from cksloop.services import discounted_sales
from cksloop.web.database import db
from cksloop.web.guards import allow

bp = Blueprint("discounts", __name__)


@bp.get("/garments/discounted-sales")
@allow(Role.MERCHANDISER, Role.ADMIN)
def index() -> Any:
    sales = discounted_sales.discounted_sales(db())
    return render_template("garments/discounted_sales.html", sales=sales, limit=discounted_sales.PAGE_SIZE,
                           format_datetime=format_datetime,
                           reason_text=lambda reason: str(reason.label) if reason else "—")
