"""Flask's signed-cookie sessions, with the signing serializer built once per secret.

Flask builds a new serializer on every request (opening and saving the session), and
itsdangerous tests its JSON serializer each time it is built: ~0.05 ms of every request, a fifth
of an API call that does nothing (issue 19). The serializer depends only on the secret key, its
fallbacks and the interface's fixed settings, so it is kept until one of those keys changes.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SigningOnceSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]


def init_app(app: Flask) -> None:
    app.session_interface = SigningOnceSessionInterface()
