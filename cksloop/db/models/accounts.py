"""People and their credentials: users, their stores, API tokens, failed sign-ins, account events; chain settings."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cksloop.db.models.base import Base, _enum, utcnow
from cksloop.db.models.catalogue import Location
from cksloop.domain.lifecycle import Role


class User(Base):
    """A person who works with cksloop; the role decides what they may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role))
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: changes on password reset and logout-everywhere, so old sessions stop working
    session_nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: the language the user chose with the switch (nl, fr, en); None: follow the browser
    language: Mapped[str | None] = mapped_column(String(8))

    home_location: Mapped[Location | None] = relationship(lazy="joined")


class UserStore(Base):
    """A location a user works at besides their home location; an admin assigns them.

    Store staff and workshop organisers act on garments at their home location and these; the
    home location is always one of a user's stores, so it is not repeated here.
    """

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)


class ApiToken(Base):
    """A bearer token for the API, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    #: None: valid until revoked
    expires_at: Mapped[dt.datetime | None]
    #: a read-only token may only GET and HEAD (a till that looks garments up, a report reader)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """One failed sign-in (form or API token), kept a short while to throttle guessing.

    In the database rather than in memory so every gunicorn worker sees the same count. The
    account is kept only as a hash of the typed email: people sometimes type a password there.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account", "account_key", "failed_at"),
        Index("ix_login_failures_address", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(index=True)


class AccountEvent(Base):
    """One change of a user or a credential, who made it and from where: append-only.

    ``actor_id`` is None for the command line (someone with access to the server). The audit
    trail reads these next to the garment ledger.
    """

    __tablename__ = "account_events"
    __table_args__ = (Index("ix_account_events_subject", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# the audit view filters the ledger by place and by action, newest first, on a large ledger


class Setting(Base):
    """A chain-wide setting an admin changes (``cksloop settings set``, the admin page), as text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
