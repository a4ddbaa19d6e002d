"""Approved packs: details, versions, downloads, single files, diffs, yank and unyank."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from registry.api.auth import actor, registry, require_token_to_write
from registry.api.downloads import archive_response
from registry.api.schemas import (
    PARSER,
    DiffArgs,
    DownloadArgs,
    OptionalReasonArgs,
    PackOut,
    ReasonArgs,
    VersionOut,
)
from registry.services import catalogue, yanking

blp = Blueprint(
    "packs",
    __name__,
    url_prefix="/api/v1/packs",
    description="Approved packs, their versions, files and archives. Anyone may read.",
)
blp.ARGUMENTS_PARSER = PARSER  # before the views below are decorated
blp.before_request(require_token_to_write)

# Pack files are served as one of these two types and nothing else: a type a browser renders
# (text/html, image/svg+xml, application/xhtml+xml, application/xslt+xml ...) would let a file
# run as a page of this site.
TEXT_PLAIN = "text/plain; charset=utf-8"
DOWNLOAD = "application/octet-stream"


def _file_name(path: str) -> dict[str, str]:
    """Content-Disposition's file name parameters: ASCII as is, else RFC 6266's filename*."""
    name = path.rsplit("/", 1)[-1]
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        # Header values are Latin-1: an ASCII approximation, and the name itself encoded.
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple or "file", "filename*": f"UTF-8''{quote(name, safe='')}"}
    return {"filename": name}


def file_response(path: str, data: bytes, is_text: bool) -> Response:
    """A stored file: text as plain text, anything else as a download; never run by a browser."""
    if is_text:
        response = Response(data, content_type=TEXT_PLAIN)
    else:
        response = Response(data, content_type=DOWNLOAD)
        response.headers.set("Content-Disposition", "attachment", **_file_name(path))
    # Whatever a file holds, a browser must not run it as part of this site.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/<publisher>/<name>")
class PackView(MethodView):
    @blp.response(200, PackOut)
    def get(self, publisher: str, name: str):
        """A pack: its latest version, every version (yanked ones flagged), downloads and depends."""
        return catalogue.pack_detail(registry(), publisher, name)


@blp.route("/<publisher>/<name>/versions/<version>")
class VersionView(MethodView):
    @blp.response(200, VersionOut)
    def get(self, publisher: str, name: str, version: str):
        """One version (or `latest`): manifest, files with size and SHA-256, archive SHA-256, approval."""
        return catalogue.version_detail(registry(), publisher, name, version)


@blp.route("/<publisher>/<name>/versions/<version>/download")
class DownloadView(MethodView):
    @blp.arguments(DownloadArgs, location="query")
    @blp.response(
        200,
        content_type="application/zip",
        description="The archive; conditional requests answer 304.",
    )
    def get(self, args: dict, publisher: str, name: str, version: str):
        """Download a version as zip or tar.gz, byte for byte reproducible, with its SHA-256."""
        # A cached archive of an exact version was answered before Flask (api/downloads.py).
        reg = registry()
        found = catalogue.archive(reg, publisher, name, version, args["format"])
        return archive_response(reg, found, name, version, request.environ)


# merge_slashes=False: `files//etc/passwd` is refused as absolute, not redirected to etc/passwd.
@blp.route("/<publisher>/<name>/versions/<version>/files/<path:path>", merge_slashes=False)
class FileView(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, publisher: str, name: str, version: str, path: str):
        """One file of a version, as stored: text as plain text, anything else as a download."""
        found = catalogue.read_file(registry(), publisher, name, version, path)
        response = file_response(path, found.data, found.is_text)
        if version != "latest":
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


@blp.route("/<publisher>/<name>/diff")
class DiffView(MethodView):
    @blp.arguments(DiffArgs, location="query")
    @blp.response(200)
    def get(self, args: dict, publisher: str, name: str):
        """Files added, removed and changed between two versions, with unified diffs for text."""
        return catalogue.diff(registry(), publisher, name, args["from_"], args["to"])


@blp.route("/<publisher>/<name>/versions/<version>/yank")
class YankView(MethodView):
    @blp.arguments(ReasonArgs)
    @blp.response(200, VersionOut)
    def post(self, args: dict, publisher: str, name: str, version: str):
        """Yank a version (publish scope for its publisher, or moderate for its supplier); `reason` required."""
        reg = registry()
        yanking.yank(reg, actor(), publisher, name, version, args["reason"])
        return catalogue.version_detail(reg, publisher, name, version)


@blp.route("/<publisher>/<name>/versions/<version>/unyank")
class UnyankView(MethodView):
    @blp.arguments(OptionalReasonArgs)
    @blp.response(200, VersionOut)
    def post(self, args: dict, publisher: str, name: str, version: str):
        """Undo a yank."""
        reg = registry()
        yanking.unyank(reg, actor(), publisher, name, version, args.get("reason"))
        return catalogue.version_detail(reg, publisher, name, version)
