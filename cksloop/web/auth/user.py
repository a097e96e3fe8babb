"""The signed-in user as Flask-Login sees it: a thin wrapper over the database row."""
from __future__ import annotations

from typing import Any

from flask_login import UserMixin

from cksloop.db.models import User
from cksloop.extensions import login_manager
from cksloop.web.database import db, memory


class SignedInUser(UserMixin):
    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        # the nonce changes on sign-out and password reset, which ends copies of old cookies
        return f"{self.user.id}:{self.user.session_nonce}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


@login_manager.user_loader
def _load(session_id: str) -> SignedInUser | None:
    user = memory().session_users.load(db(), session_id)
    return SignedInUser(user) if user else None


login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
