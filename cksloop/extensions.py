"""Flask extension instances, initialised in the app factory."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
#: CSRF on every form; the API blueprint is exempt and checks its own callers (cksloop.web.api.auth)
csrf = CSRFProtect()
babel = Babel()
