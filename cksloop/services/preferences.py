"""A user's own settings: the language they read cksloop in."""
from __future__ import annotations

from sqlalchemy.orm import Session

from cksloop.db.models import User
from cksloop.db.session import begin_write
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.messages import N_


def set_language(session: Session, *, user_id: int, language: str | None, languages: list[str]) -> None:
    """Keep the user's language (one of ``languages``; None: follow the browser again) and commit.

    Raises InvalidDetails for a language cksloop has no catalogue for, NotFound for an unknown user.
    """
    if language is not None and language not in languages:
        raise InvalidDetails({"language": N_("Not one of the allowed values.")})
    begin_write(session)  # the request already read (the signed-in user): write from a fresh start
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("This page does not exist."))
    user.language = language
    session.commit()
