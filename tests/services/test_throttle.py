"""Login throttling as a service: counted in the database, per (account, address) with growing pauses, and per address."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from cksloop.db.models import LoginFailure
from cksloop.services import throttle

ADDRESS = "203.0.113.7"


def _fail(session, times, *, account="anna@cks.example", address=ADDRESS, now):
    for i in range(times):
        throttle.record_failure(session, account=account, address=address,
                                now=now + dt.timedelta(seconds=i))


def test_four_failures_still_allow_another_try(db_session, now):
    _fail(db_session, 4, now=now)
    assert throttle.check(db_session, account="anna@cks.example", address=ADDRESS,
                          now=now + dt.timedelta(seconds=10)) is None


def test_fifth_failure_pauses_the_account_from_that_address_only(db_session, now):
    _fail(db_session, 5, now=now)
    later = now + dt.timedelta(seconds=10)
    wait = throttle.check(db_session, account="anna@cks.example", address=ADDRESS, now=later)
    # the pause starts at the fifth failure (now + 4 s) and lasts FIRST_PAUSE
    assert wait == throttle.FIRST_PAUSE.total_seconds() + 4 - 10
    # the owner at another address is never paused by someone else's guesses
    assert throttle.check(db_session, account="anna@cks.example", address="198.51.100.1", now=later) is None
    after = now + dt.timedelta(seconds=4) + throttle.FIRST_PAUSE
    assert throttle.check(db_session, account="anna@cks.example", address=ADDRESS, now=after) is None


def test_each_further_failure_of_the_pair_doubles_the_pause_up_to_the_window(db_session, now):
    pauses = []
    at = now
    for failures in range(1, 12):
        throttle.record_failure(db_session, account="anna@cks.example", address=ADDRESS, now=at)
        wait = throttle.check(db_session, account="anna@cks.example", address=ADDRESS, now=at) or 0
        pauses.append(wait)
        at += dt.timedelta(seconds=wait)  # the guesser waits exactly as long as told, then fails again
    assert pauses[:4] == [0, 0, 0, 0]
    assert pauses[4:9] == [30, 60, 120, 240, 480]
    assert pauses[9:] == [900, 900]  # never longer than the window


def test_account_is_recognised_whatever_the_case_and_spaces_of_the_email(db_session, now):
    _fail(db_session, 5, account="Anna@CKS.example ", now=now)
    assert throttle.check(db_session, account="anna@cks.example", address=ADDRESS,
                          now=now + dt.timedelta(seconds=5)) is not None


def test_many_accounts_from_one_address_pause_the_address(db_session, now):
    for i in range(throttle.ADDRESS_LIMIT):
        throttle.record_failure(db_session, account=f"guess{i}@cks.example", address=ADDRESS,
                                now=now + dt.timedelta(seconds=i))
    later = now + dt.timedelta(minutes=1)
    assert throttle.check(db_session, account="fresh@cks.example", address=ADDRESS, now=later) is not None
    assert throttle.check(db_session, account="fresh@cks.example", address="198.51.100.1", now=later) is None


def test_success_clears_the_account_but_not_the_address(db_session, now):
    for i in range(throttle.ADDRESS_LIMIT):
        throttle.record_failure(db_session, account="anna@cks.example" if i < 4 else f"x{i}@cks.example",
                                address=ADDRESS, now=now)
    throttle.record_success(db_session, account="anna@cks.example", address=ADDRESS, now=now)
    left = db_session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.account_key == throttle.account_key("anna@cks.example")))
    assert left == 0
    assert throttle.check(db_session, account="anna@cks.example", address=ADDRESS, now=now) is not None


def test_the_typed_email_is_not_stored_in_clear(db_session, now):
    _fail(db_session, 1, account="my secret password", now=now)
    stored = db_session.scalars(select(LoginFailure.account_key)).all()
    assert stored == [throttle.account_key("my secret password")]
    assert "secret" not in stored[0]


def test_failures_older_than_a_day_are_forgotten(db_session, now):
    _fail(db_session, 3, now=now - dt.timedelta(days=2))
    _fail(db_session, 1, now=now)
    assert db_session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_token_failures_count_per_address_only(db_session, now):
    limits = throttle.Limits(per_address=3)
    for i in range(3):
        throttle.record_failure(db_session, account=None, address=ADDRESS, now=now)
    assert throttle.check(db_session, account=None, address=ADDRESS, now=now, limits=limits) is not None
    assert throttle.check(db_session, account=None, address="198.51.100.1", now=now, limits=limits) is None


def test_success_from_one_address_leaves_the_guesses_from_another_counted(db_session, now):
    _fail(db_session, 5, now=now)
    throttle.record_success(db_session, account="anna@cks.example", address="198.51.100.1", now=now)
    assert throttle.check(db_session, account="anna@cks.example", address=ADDRESS,
                          now=now + dt.timedelta(seconds=5)) is not None


def test_a_valid_token_goes_ahead_from_a_paused_address_and_a_wrong_one_is_told_to_wait(db_session, now):
    from cksloop.services import tokens
    from tests.builders import make_user

    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now)
    limits = throttle.Limits(per_address=3)
    for i in range(3):
        throttle.record_failure(db_session, account=None, address=ADDRESS, now=now + dt.timedelta(seconds=i))
    later = now + dt.timedelta(seconds=10)
    row, wait = tokens.caller_for_token(db_session, token, address=ADDRESS, now=later, limits=limits)
    assert row.user == user and wait is None
    for sent in ("ckl_wrong", ""):
        caller, wait = tokens.caller_for_token(db_session, sent, address=ADDRESS, now=later, limits=limits)
        assert caller is None
        assert wait == throttle.check(db_session, account=None, address=ADDRESS, now=later, limits=limits) == 15 * 60 - 10
    # a wrong token from another address, or once the oldest counted failure has aged out, is not paused
    assert tokens.caller_for_token(db_session, "ckl_wrong", address="198.51.100.1", now=later, limits=limits) == (None, None)
    after = now + throttle.WINDOW + dt.timedelta(seconds=3)
    assert tokens.caller_for_token(db_session, "ckl_wrong", address=ADDRESS, now=after, limits=limits) == (None, None)
