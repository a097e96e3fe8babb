"""Flask extension instances, initialised in the app factory."""
from flask import request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect


class _FormCSRFProtect(CSRFProtect):
    """CSRF on every form; /api/ requests are checked by cksloop.web.api.auth instead.

    A bearer-token request needs no CSRF token (a browser never adds the header by itself); a
    request on the browser session must send X-CSRFToken, which the API layer checks with a JSON
    answer rather than the form's 400 page.
    """

    def protect(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return None
        return super().protect(*args, **kwargs)


login_manager = LoginManager()
csrf = _FormCSRFProtect()
babel = Babel()
