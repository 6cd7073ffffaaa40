"""Security headers on every response, and the client address behind trusted proxies."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from matcher.config import DEVELOPMENT_SECRET

# Only the app's own files: no inline script or style anywhere, so an injected tag does nothing.
# data: images for the empty favicon in base.html (it spares every page a 404 request).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A view may ask for less (the public report page sends no referrer at all).
    "Referrer-Policy": "same-origin",
}
# Only where HTTPS is certain: a browser that saw this over a plain-HTTP test server would
# refuse that host for a year.
HSTS = "max-age=31536000; includeSubDomains"
# A key shorter than this could be guessed offline from one signed session cookie.
MIN_SECRET_KEY_LENGTH = 32


def init_app(app: Flask) -> None:
    """Add the headers to every response; trust X-Forwarded-* only from configured proxies."""
    production = app.config.get("FAIRMATCH_ENV") == "production"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        # Each trusted proxy appends one address; more than that is what the client claimed.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def check_secret_key(app: Flask) -> None:
    """Refuse to start in production without a long secret key that someone actually set."""
    if app.config.get("FAIRMATCH_ENV") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET or len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH}"
            " characters in production (for example: python -c 'import secrets;"
            " print(secrets.token_urlsafe(48))')."
        )
