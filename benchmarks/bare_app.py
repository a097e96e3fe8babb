"""The framework's limit: a bare Flask route returning a page of a given size (BARE_PAGE_BYTES)."""
from __future__ import annotations

import os

from flask import Flask, Response


def create_app() -> Flask:
    app = Flask(__name__)
    size = int(os.environ.get("BARE_PAGE_BYTES", "8000"))
    page = ("<!doctype html><html><body>" + "x" * max(0, size - 40) + "</body></html>").encode()

    @app.route("/bare")
    def bare() -> Response:
        return Response(page, mimetype="text/html")

    return app
