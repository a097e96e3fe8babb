"""Home: a short list of what needs doing today, by role."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from cksloop.services import dashboard
from cksloop.web.database import db, now
from cksloop.web.guards import allow

bp = Blueprint("home", __name__)


@bp.route("/")
@allow()
def index() -> Any:
    today = dashboard.today_for(db(), user=current_user.user, now=now())
    return render_template("home/index.html", today=today)
