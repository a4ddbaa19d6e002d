"""Validation of every user-supplied string before git sees it, and the ref names built from them.

Git takes publisher, name, version and submission id only inside ref names the store builds
itself, and file paths only as tree entry names it writes. Each check here runs before any git
call, so a hostile value ("--upload-pack=...", "main~1", "@{-1}", "../x") never reaches git.
"""

from __future__ import annotations

import re
import unicodedata

# The same git-name rule the upload check applies, so both refuse exactly the same names.
from registry.packs.archive import is_git_name
from registry.packs.versions import SemVer, is_semver

from .errors import InvalidRef

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
# Submission ids are database integers; a short token is allowed for callers without one.
TOKEN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
OID_RE = re.compile(r"[0-9a-f]{40}")

MAIN_REF = "refs/heads/main"
# Outside refs/heads/ and refs/tags/: a clone fetches neither, a documented mirror push names
# only main and the tags, and uploadpack.hideRefs hides them from every fetch.
SUBMISSION_PREFIX = "refs/submissions/"
LEGACY_SUBMISSION_PREFIX = "refs/heads/submissions/"  # where releases before 0.2 kept them
TAG_PREFIX = "refs/tags/"

MAX_PATH_BYTES = 4096
MAX_COMPONENT_BYTES = 255


def check_slug(value: object, what: str) -> str:
    """Return value when it is a slug (lower-case letters, digits, inner hyphens), else raise."""
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
        raise InvalidRef(
            f"{what} {value!r} is not a slug: use 1-64 lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return value


def check_version(value: object) -> str:
    """Return value when it is an ASCII SemVer 2.0.0 version, else raise."""
    # isascii: the shared pattern's \d would also accept digits from other scripts.
    if not isinstance(value, str) or not value.isascii() or not is_semver(value):
        raise InvalidRef(
            f"version {value!r} is not a Semantic Versioning 2.0.0 version such as 1.2.0"
        )
    if value.endswith(".lock"):  # valid SemVer, but git refuses a ref name ending in .lock
        raise InvalidRef(f"version {value!r} cannot end in '.lock'")
    return value


def version_key(version: str) -> SemVer:
    """Return the SemVer precedence key of an already checked version."""
    return SemVer.parse(version)


def check_submission_id(value: object) -> str:
    """Return the canonical text of a submission id: a positive integer or a short token."""
    if isinstance(value, bool):
        raise InvalidRef(f"submission id {value!r} is not a positive integer or a short token")
    if isinstance(value, int):
        if value > 0:
            return str(value)
    elif isinstance(value, str) and TOKEN_RE.fullmatch(value):
        if not value.isdigit():
            return value
        if int(value) > 0:
            return str(int(value))  # "042" and 42 must name the same branch
    raise InvalidRef(
        f"submission id {value!r} is not a positive integer or a short token "
        "(lower-case letters, digits and hyphens, at most 32)"
    )


def check_path(path: object) -> str:
    """Return path when it is a safe relative POSIX file path inside a pack, else raise."""
    if not isinstance(path, str) or not path:
        raise InvalidRef(f"file path {path!r} must be a non-empty string")
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidRef(f"file path {path!r} is not valid UTF-8") from None
    if size > MAX_PATH_BYTES:
        raise InvalidRef(f"file path {path[:60]!r}… is longer than {MAX_PATH_BYTES} bytes")
    if "\\" in path or any(unicodedata.category(ch) == "Cc" for ch in path):
        raise InvalidRef(f"file path {path!r} contains a backslash or a control character")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise InvalidRef(
                f"file path {path!r} must be relative, without empty, '.' or '..' parts"
            )
        if part.startswith("-"):
            raise InvalidRef(f"file path {path!r} has a part starting with '-'")
        if len(part.encode("utf-8")) > MAX_COMPONENT_BYTES:
            raise InvalidRef(f"file path {path!r} has a part longer than 255 bytes")
        if is_git_name(part):
            raise InvalidRef(f"file path {path!r} uses a name git reserves ({part!r})")
    return path


def tag_ref(publisher: str, name: str, version: str) -> str:
    """Return refs/tags/<publisher>/<name>/v<version> from checked parts."""
    return f"{TAG_PREFIX}{publisher}/{name}/v{version}"


def tag_prefix(publisher: str, name: str) -> str:
    """Return the ref prefix under which a pack's version tags live."""
    return f"{TAG_PREFIX}{publisher}/{name}/"


def submission_ref(submission_id: str) -> str:
    """Return refs/submissions/<id> for a checked submission id."""
    return f"{SUBMISSION_PREFIX}{submission_id}"


def parse_tag_ref(ref: str) -> tuple[str, str, str] | None:
    """Return (publisher, name, version) of a version tag ref, or None when it is not one."""
    if not ref.startswith(TAG_PREFIX):
        return None
    parts = ref[len(TAG_PREFIX) :].split("/")
    if len(parts) != 3 or not parts[2].startswith("v"):
        return None
    publisher, name, version = parts[0], parts[1], parts[2][1:]
    if not (SLUG_RE.fullmatch(publisher) and SLUG_RE.fullmatch(name)):
        return None
    if not (version.isascii() and is_semver(version)) or version.endswith(".lock"):
        return None
    return publisher, name, version


def parse_submission_ref(ref: str) -> str | None:
    """Return the submission id of a submission branch ref, or None when it is not one."""
    if not ref.startswith(SUBMISSION_PREFIX):
        return None
    token = ref[len(SUBMISSION_PREFIX) :]
    return token if TOKEN_RE.fullmatch(token) else None
