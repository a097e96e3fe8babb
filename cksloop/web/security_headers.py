"""Security headers on every response: a strict CSP without inline script, no framing, no sniffing, no storing."""
from __future__ import annotations

from flask import Flask, Response, request

# 'wasm-unsafe-eval' lets the vendored QR decoder compile its WebAssembly; nothing else is eval'd
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
       "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)
#: pages behind sign-in (and the API's answers) hold what only their reader may see: no browser or
#: proxy keeps a copy. A view that may be cached says so itself (the public product page, static files).
NO_STORE = ("Cache-Control", "no-store")
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    every = HEADERS + ((HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())
    # (lower-case name, name, value): for any response, and for one that is not a static file
    anywhere = tuple((name.lower(), name, value) for name, value in every)
    dynamic = (anywhere + (("cache-control",) + NO_STORE,), anywhere)  # [static file?]

    @app.after_request
    def _headers(response: Response) -> Response:
        # each header only where the view did not set its own; one pass over the response's
        # headers (werkzeug's setdefault raises and catches an exception for every header it
        # adds: seven of them cost 0.1 ms, a third of an API request that does nothing)
        present = {name.lower() for name in response.headers.keys()}
        for key, name, value in dynamic[request.endpoint == "static"]:
            if key not in present:
                response.headers.add(name, value)
        return response
