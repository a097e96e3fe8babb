"""Favicon and web app manifest (so the scan page goes on a phone's home screen); static files
get their content hash in the URL, so browsers keep them for a year and never re-check them."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_from_directory, url_for
from flask_babel import gettext

bp = Blueprint("site", __name__)

#: a year: a changed file gets a new URL (its hash), so a cached copy is never stale
YEAR = 365 * 24 * 3600


@bp.get("/favicon.ico")
def favicon() -> Any:
    response = send_from_directory(current_app.static_folder or "", "favicon.ico", mimetype="image/x-icon")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600  # its URL is fixed: a day, not forever
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Any:
    icons = [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in (192, 512)]
    response = jsonify({
        "name": gettext("cksloop: scan a label"), "short_name": "cksloop",
        "start_url": url_for("scan.index"), "scope": "/", "display": "standalone",
        "background_color": "#f7f6f3", "theme_color": "#0f4c5c", "icons": icons,
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker() -> Any:
    """The service worker that keeps the scan pages' shell for offline use. Served from the root so
    its scope covers /scan; re-checked on every load so a new version takes over at once."""
    response = send_from_directory(current_app.static_folder or "", "js/sw.js", mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    return response


def init_app(app: Flask) -> None:
    hashes: dict[str, str] = {}

    def version_of(filename: str) -> str | None:
        if filename not in hashes:
            path = Path(app.static_folder or "") / filename
            try:
                hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                return None  # a missing file 404s as before, without a version
        return hashes[filename]

    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = version_of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_static(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
