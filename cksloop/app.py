"""The app factory: config → extensions → database → blueprints → errors (the `cksloop` command builds it; see cli.py)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from cksloop import config as cfg

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "cksloop",
        instance_path=os.environ.get("CKSLOOP_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_database(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_proxy(app)
    return app


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(cfg.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(cfg.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = cfg.secret_key_from_instance(app.instance_path)
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")


def register_extensions(app: Flask) -> None:
    from cksloop.web import i18n, vocabulary
    from cksloop.extensions import babel, csrf, login_manager

    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Europe/Brussels")
    i18n.init_app(app)
    vocabulary.init_app(app)


def register_database(app: Flask) -> None:
    from cksloop.web import database

    database.init_app(app)


def register_blueprints(app: Flask) -> None:
    from cksloop.web import blueprints

    for blueprint in blueprints.all_blueprints():
        app.register_blueprint(blueprint)
    from cksloop.web.site import routes as site

    site.init_app(app)  # versioned static URLs, cached for a year


def register_errors(app: Flask) -> None:
    from cksloop.web import errors

    errors.init_app(app)


def register_security(app: Flask) -> None:
    from cksloop.web import cookie_sessions, fragments, guards, security_headers, topbar

    cookie_sessions.init_app(app)
    fragments.init_app(app)
    topbar.init_app(app)
    guards.init_app(app)
    security_headers.init_app(app)


def register_proxy(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
