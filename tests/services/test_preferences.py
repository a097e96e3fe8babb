"""A user's language: kept when it is one cksloop speaks, refused (nothing changed) when not."""
from __future__ import annotations

import pytest

from cksloop.db.models import User
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.services import preferences
from tests.builders import make_user

LANGUAGES = ["nl", "fr", "en"]


def test_a_language_cksloop_speaks_is_kept_and_none_follows_the_browser_again(db_session):
    user = make_user(db_session)
    preferences.set_language(db_session, user_id=user.id, language="fr", languages=LANGUAGES)
    db_session.expire_all()
    assert db_session.get(User, user.id).language == "fr"
    preferences.set_language(db_session, user_id=user.id, language=None, languages=LANGUAGES)
    db_session.expire_all()
    assert db_session.get(User, user.id).language is None


@pytest.mark.parametrize("language", ["de", "", "fr_BE", "x" * 50])
def test_a_language_without_a_catalogue_is_refused_and_nothing_changes(db_session, language):
    user = make_user(db_session)
    preferences.set_language(db_session, user_id=user.id, language="nl", languages=LANGUAGES)
    with pytest.raises(InvalidDetails):
        preferences.set_language(db_session, user_id=user.id, language=language, languages=LANGUAGES)
    db_session.rollback()
    assert db_session.get(User, user.id).language == "nl"


def test_an_unknown_user_is_not_found(db_session):
    with pytest.raises(NotFound):
        preferences.set_language(db_session, user_id=999_999, language="fr", languages=LANGUAGES)
