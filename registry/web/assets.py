"""Static assets: GOV.UK Frontend's built files and our own, fingerprinted and held in memory.

Each file is served at /assets/<name>.<hash>.<ext>, where hash is of its content, so a URL
never changes meaning and every asset may be cached for a year. References between assets
(the stylesheet's images, the start-up script's import of GOV.UK Frontend) are rewritten to
the fingerprinted URLs before the referring file is hashed.

GOV.UK Frontend's stylesheet declares the GDS Transport font, which only services on GOV.UK
may use: its @font-face rules are dropped and the font files left out, so text falls back to
Arial as the stylesheet's own font stack says.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "/assets/"
OWN = Path(__file__).resolve().parent / "static"
# Files of GOV.UK Frontend's dist/govuk/ folder that the pages use.
GOVUK_FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")
GOVUK_IMAGES = "assets/images"
_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_SOURCE_MAP = re.compile(rb"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*\Z")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".ico": "image/x-icon"}


@dataclass
class Assets:
    """Every asset: its URL by logical name, and its bytes and type by served name."""

    urls: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def add(self, logical: str, data: bytes) -> None:
        """Fingerprint data and serve it under logical's name with the hash before the suffix."""
        digest = hashlib.sha256(data).hexdigest()[:12]
        stem, dot, suffix = logical.rpartition(".")
        served = f"{stem}.{digest}.{suffix}" if dot else f"{logical}.{digest}"
        kind = _TYPES.get("." + suffix) or mimetypes.guess_type(logical)[0]
        self.urls[logical] = PREFIX + served
        self.files[served] = (data, kind or "application/octet-stream")

    def url(self, logical: str) -> str:
        """The fingerprinted URL of an asset (its plain path when it is missing)."""
        return self.urls.get(logical, PREFIX + logical)

    def rewrite(self, data: bytes) -> bytes:
        """Point every /assets/<logical> reference in data at its fingerprinted URL."""
        text = data.decode("utf-8")
        for logical in sorted(self.urls, key=len, reverse=True):
            text = text.replace(PREFIX + logical, self.urls[logical])
        return text.encode("utf-8")


_loaded: dict[Path, Assets] = {}


def load(govuk: Path) -> Assets:
    """The assets from GOV.UK Frontend's dist/govuk folder and registry/web/static (cached)."""
    if govuk not in _loaded:
        _loaded[govuk] = _build(govuk)
    return _loaded[govuk]


def _build(govuk: Path) -> Assets:
    assets = Assets()
    if not (govuk / GOVUK_FILES[0]).is_file():
        log.warning(
            "GOV.UK Frontend is not installed at %s: the web pages are served without styles "
            "(run `make run` or `npm ci` in the project folder)",
            govuk,
        )
    else:
        images = govuk / GOVUK_IMAGES
        for path in sorted(images.iterdir()):
            assets.add(f"images/{path.name}", path.read_bytes())
        assets.add("govuk-frontend.min.js", _no_source_map(govuk / "govuk-frontend.min.js"))
        css = _no_source_map(govuk / "govuk-frontend.min.css").decode("utf-8")
        css = _FONT_FACE.sub("", css).replace("/assets/images/", PREFIX + "images/")
        assets.add("govuk-frontend.min.css", assets.rewrite(css.encode("utf-8")))
    # Our own files may refer to GOV.UK Frontend's, never the other way round.
    for path in sorted(OWN.iterdir()):
        if path.is_file():
            assets.add(path.name, assets.rewrite(path.read_bytes()))
    return assets


def _no_source_map(path: Path) -> bytes:
    """A built file without its source map comment (the maps are not served)."""
    return _SOURCE_MAP.sub(b"\n", path.read_bytes())
