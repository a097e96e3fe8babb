"""Favicon, web app manifest and static files: served, installable, versioned and cached for long."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from cksloop.domain.lifecycle import Role

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_every_page_gets_a_favicon_without_signing_in(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.get_data() == (STATIC / "favicon.ico").read_bytes()
    assert response.mimetype in {"image/x-icon", "image/vnd.microsoft.icon"}


def test_the_manifest_makes_the_scan_page_installable_on_a_phone(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["start_url"] == "/scan" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pages_link_static_files_by_content_hash_and_they_are_cached_for_a_year(login) -> None:
    page = login(Role.STORE_STAFF).get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    css = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]+))"', page)
    assert css, "the stylesheet is linked without a version"
    digest = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()
    assert digest.startswith(css.group(2))
    served = login(Role.STORE_STAFF).get(css.group(1))
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert re.search(r'src="/static/js/menu\.js\?v=[0-9a-f]{12}"', page)
