"""Archive downloads: the answer's headers, and a path for cached archives that skips Flask.

A download of an exact version whose archive is cached is the registry's most frequent
request, and its answer is a file. Routing it through Flask, flask-smorest, webargs and every
before- and after-request hook cost more than sending the file, so `FastDownloads` answers it
before Flask sees it, with the same headers (one function builds them for both paths).
Everything else, including every error, 304s for `latest` and archives not yet built, goes to
Flask unchanged.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import parse_etags
from werkzeug.utils import send_file
from werkzeug.wrappers import Response

from registry.security import add_security_headers
from registry.services import catalogue
from registry.services.catalogue import Download
from registry.services.context import Registry

# The one address answered here; PATH_INFO is already percent-decoded, and anything that is
# not plainly a slug or a version (or that Flask would redirect or refuse) goes to Flask.
_DOWNLOAD_PATH = re.compile(
    r"/api/v1/packs/(?P<publisher>[a-z0-9-]{1,64})/(?P<name>[a-z0-9-]{1,64})"
    r"/versions/(?P<version>[0-9A-Za-z.+-]{1,128})/download"
)
log = logging.getLogger(__name__)
_QUERIES = {"": "zip", "format=zip": "zip", "format=tar.gz": "tar.gz"}


def archive_response(
    reg: Registry, found: Download, name: str, asked: str, environ: dict
) -> Response:
    """The answer to a download: the archive (or 304), its checksums and how long to keep it.

    asked is the version as the address gave it (`latest` is revalidated every time); a GET
    that sends the archive counts as a download, once per client in each window.
    """
    sha = found.archive.sha256
    if sha in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):
        response = Response(status=304)
    else:
        if environ.get("REQUEST_METHOD") == "GET":  # HEAD asks about it, it downloads nothing
            client = f"{environ.get('REMOTE_ADDR')} {environ.get('HTTP_USER_AGENT', '')}"
            catalogue.count_download(reg, found.version_id, client)
        # The archive is a cached file: the WSGI server streams it (sendfile where it can).
        response = send_file(
            found.archive.path,
            environ,
            mimetype=found.media_type,
            as_attachment=True,
            download_name=f"{name}-{found.version}.{found.archive.fmt}",
            etag=False,
            conditional=False,
        )
    response.set_etag(sha)
    digest = base64.b64encode(bytes.fromhex(sha)).decode()
    response.headers["Digest"] = f"sha-256={digest}"
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["X-Checksum-SHA256"] = sha
    if asked == "latest":
        # `latest` moves when a new version is approved or one is yanked: revalidate each time.
        response.headers["Cache-Control"] = "no-cache"
    else:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


class FastDownloads:
    """WSGI middleware: GET and HEAD of a cached archive of an exact version, without Flask."""

    def __init__(self, app: Callable, reg: Registry):
        self.app = app
        self.reg = reg

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            response = self._answer(environ)
        except Exception:
            # Nothing is sent and nothing counted yet (a failed count rolled back): Flask
            # starts over and meets the same error with the registry's usual answer (503, 500).
            log.debug("download fast path gave up; Flask answers", exc_info=True)
            response = None
        if response is None:
            return self.app(environ, start_response)
        return response(environ, start_response)

    def _answer(self, environ: dict) -> Response | None:
        """The whole answer for a cached archive, or None to let Flask answer."""
        found = self._cached(environ)
        if found is None:
            return None
        download, name, version = found
        response = archive_response(self.reg, download, name, version, environ)
        add_security_headers(response.headers, environ.get("PATH_INFO", ""), _secure(environ))
        return response

    def _cached(self, environ: dict) -> tuple[Download, str, str] | None:
        """The cached archive this request asks for, or None to let Flask answer."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        fmt = _QUERIES.get(environ.get("QUERY_STRING", ""))
        match = _DOWNLOAD_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if fmt is None or match is None or match["version"] == "latest":
            return None
        publisher, name, version = match.group("publisher", "name", "version")
        found = catalogue.cached_archive(self.reg, publisher, name, version, fmt)
        return None if found is None else (found, name, version)


def _secure(environ: dict[str, Any]) -> bool:
    """Whether the request came over HTTPS (as werkzeug's request.is_secure decides)."""
    return environ.get("wsgi.url_scheme") == "https"
