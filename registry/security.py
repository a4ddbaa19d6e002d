"""The headers every answer carries, pages, API and downloads alike, and which paths are API."""

from __future__ import annotations

from werkzeug.datastructures import Headers

# The pages load scripts, styles, images and fonts from this origin only, and no inline script
# or style at all; no page may be framed. The API's one HTML page (/api/docs) has inline styles.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
API_PATHS = ("/api/", "/healthz")


def is_api(path: str) -> bool:
    """True for the JSON API's addresses, whose errors stay JSON."""
    return path == "/api" or path.startswith(API_PATHS)


def add_security_headers(headers: Headers, path: str, secure: bool) -> None:
    """Add the headers that keep a browser from misreading, framing or leaking an answer."""
    # Browsers must not guess another type (HTML) from a JSON or text body.
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"  # a search never leaks to a README's link
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if "Content-Security-Policy" not in headers:  # pack files carry their own sandbox
        headers["Content-Security-Policy"] = API_CSP if is_api(path) else PAGE_CSP
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
