"""Semantic Versioning 2.0.0: parsing, precedence, and `depends` specifiers like ">=1.0.0,<2"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

# The regular expression recommended by semver.org for SemVer 2.0.0.
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z",
    re.ASCII,  # \d must not accept other scripts' digits, which int() would read
)
MAX_VERSION_LENGTH = 64  # long enough for any real pre-release label, short enough for a tag name

# A partial version in a specifier: "2", "1.0", "1.0.0", "1.0.0-rc.1".
_PARTIAL_RE = re.compile(
    r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z.-]+))?\Z", re.ASCII
)
_CLAUSE_RE = re.compile(r"^\s*(>=|<=|==|!=|~=|\^|>|<|=)?\s*(\S+)\s*$")


class VersionError(ValueError):
    """A version or specifier that does not parse; the message says what a valid one looks like."""


@total_ordering
@dataclass(frozen=True)
class SemVer:
    """A parsed version with SemVer 2.0.0 precedence (build metadata is ignored when comparing)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> SemVer:
        """Parse text as a full SemVer 2.0.0 version or raise VersionError."""
        if not isinstance(text, str) or len(text) > MAX_VERSION_LENGTH:
            raise VersionError("a version is three numbers like 1.2.0 (Semantic Versioning 2.0.0)")
        m = SEMVER_RE.match(text)
        if not m:
            raise VersionError(
                f"'{text}' is not a Semantic Versioning 2.0.0 version; write three numbers "
                "MAJOR.MINOR.PATCH like 1.2.0, optionally with a pre-release such as 1.2.0-rc.1"
            )
        pre = tuple(m.group(4).split(".")) if m.group(4) else ()
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, m.group(5) or "")

    def _key(self) -> tuple:
        # A pre-release sorts before its release; numeric identifiers sort before alphanumeric ones.
        pre_key: tuple = (
            (1,)
            if not self.prerelease
            else (
                0,
                *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease),
            )
        )
        return (self.major, self.minor, self.patch, pre_key)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + self.build
        return text


def is_semver(text: object) -> bool:
    """Return True when text is a valid SemVer 2.0.0 version."""
    return isinstance(text, str) and len(text) <= MAX_VERSION_LENGTH and bool(SEMVER_RE.match(text))


@dataclass(frozen=True)
class Clause:
    """One comparison of a specifier, e.g. >=1.0.0."""

    op: str
    version: SemVer
    parts: int  # how many numbers were written: "2" is 1, "1.4" is 2 (matters for ^ and ~=)

    def matches(self, v: SemVer) -> bool:
        """Return True when v satisfies this clause."""
        if self.op in ("==", "="):
            return v == self.version if self.parts == 3 else _upper_bound(self, v, exact=True)
        if self.op == "!=":
            return v != self.version
        if self.op == ">=":
            return v >= self.version
        if self.op == ">":
            return v > self.version
        if self.op == "<=":
            return v <= self.version
        if self.op == "<":
            return v < self.version
        return v >= self.version and _upper_bound(self, v, exact=False)


def _upper_bound(clause: Clause, v: SemVer, *, exact: bool) -> bool:
    """Bounds for ^, ~= and partial == (1.4 means any 1.4.x)."""
    base = clause.version
    if exact:
        if clause.parts == 1:
            return v.major == base.major
        return (v.major, v.minor) == (base.major, base.minor)
    if clause.op == "^":
        if base.major:
            return v.major == base.major
        if base.minor:
            return (v.major, v.minor) == (0, base.minor)
        return (v.major, v.minor, v.patch) == (0, 0, base.patch)
    # ~= as in PEP 440: ~=1.4 means >=1.4,<2 and ~=1.4.2 means >=1.4.2,<1.5
    if clause.parts <= 2:
        return v.major == base.major
    return (v.major, v.minor) == (base.major, base.minor)


def parse_specifier(text: str) -> list[Clause]:
    """Parse a comma-separated specifier like '>=1.0.0,<2' or raise VersionError."""
    if not isinstance(text, str) or not text.strip():
        raise VersionError('write a version range such as ">=1.0.0,<2"')
    if len(text) > 200:
        raise VersionError("a version range is at most 200 characters")
    clauses = []
    for raw in text.split(","):
        m = _CLAUSE_RE.match(raw)
        partial = _PARTIAL_RE.match(m.group(2)) if m else None
        if not m or not partial:
            raise VersionError(
                f"'{raw.strip()}' is not a version comparison; use forms like >=1.0.0, <2, "
                "==1.2.0, ~=1.4 or ^1.2 separated by commas"
            )
        op = m.group(1) or "=="
        parts = sum(1 for g in partial.groups()[:3] if g is not None)
        pre = tuple(partial.group(4).split(".")) if partial.group(4) else ()
        nums = [int(g) if g is not None else 0 for g in partial.groups()[:3]]
        if op in ("~=",) and parts < 2:
            raise VersionError(f"'{raw.strip()}': ~= needs at least MAJOR.MINOR, e.g. ~=1.4")
        clauses.append(Clause(op, SemVer(nums[0], nums[1], nums[2], pre), parts))
    return clauses


def satisfies(version: str, specifier: str) -> bool:
    """Return True when version meets every clause of specifier."""
    v = SemVer.parse(version)
    return all(c.matches(v) for c in parse_specifier(specifier))
