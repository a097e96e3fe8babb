"""The list of blueprints, one per user job; the factory registers them in this order."""
from __future__ import annotations

from flask import Blueprint


def all_blueprints() -> list[Blueprint]:
    from cksloop.web.auth.routes import bp as auth
    from cksloop.web.home.routes import bp as home

    found = [auth, home]
    # optional blueprints land as their capability does; each module exposes ``bp``
    import importlib

    for name in ("garments", "styles", "locations", "api", "public", "scan", "labels", "rentals",
                 "reports", "admin"):
        try:
            module = importlib.import_module(f"cksloop.web.{name}.routes")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"cksloop.web.{name}"):
                continue
            raise
        found.append(module.bp)
    return found
