"""The workshops blueprint with every page module's views on it."""
from __future__ import annotations

from flask import Blueprint


def workshops_blueprint() -> Blueprint:
    from cksloop.web.workshops import figures, projects, routes  # noqa: F401  (they register their views)
    from cksloop.web.workshops.blueprint import bp

    return bp
