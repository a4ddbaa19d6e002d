"""The manifest, cmspack.yaml (SPEC §2): strict YAML, the schema of manifest_schema.py, vocabularies.

`parse_manifest` returns the normalised manifest (aliases replaced by slugs) with every problem
found at once, each naming its field and line and saying what to write instead.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, ValidationError

from registry.packs.limits import DEFAULT_LIMITS, Limits
from registry.packs.manifest_schema import (
    ALLOWED_KEYS,
    EMAIL_RE,
    MANIFEST_NAME,
    MAX_DEPENDS,
    NESTED_KEYS,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_PUBLISHER,
    SLUG_HELP,
    SLUG_RE,
    VOCAB_FIELDS,
    YEAR_RE,
    ManifestSchema,
)
from registry.packs.problems import Notice, Problem
from registry.packs.versions import VersionError, is_semver, parse_specifier
from registry.packs.vocabulary import load_vocabularies
from registry.packs.yamlsafe import ManifestYAMLError, load_strict


@dataclass
class ManifestResult:
    """A parsed manifest (None when it could not be read) with problems and notices."""

    manifest: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def parse_manifest(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ManifestResult:
    """Read cmspack.yaml bytes and check every field; report every problem at once."""
    result = ManifestResult(None)
    text = _decode(data, limits, result.problems)
    if text is None:
        return result
    try:
        raw, lines = load_strict(text)
    except ManifestYAMLError as exc:
        result.problems.append(Problem(MANIFEST_NAME, str(exc), exc.line, "yaml"))
        return result
    if raw is None:
        result.problems.append(
            Problem(
                MANIFEST_NAME,
                "cmspack.yaml is empty; `cmsreg init` writes a complete one to start from.",
                1,
                "empty",
            )
        )
        return result
    if not isinstance(raw, dict):
        result.problems.append(
            Problem(
                MANIFEST_NAME,
                "cmspack.yaml must be a mapping of fields (name: …, version: …); see docs/pack-format.md.",
                1,
                "not-a-mapping",
            )
        )
        return result

    def problem(path: str, message: str, code: str = "invalid") -> None:
        top = path.split(".")[0].split("[")[0]
        line = lines.get(path) or lines.get(top)
        result.problems.append(Problem(path, message, line, code))

    raw = {str(k): v for k, v in raw.items()}
    try:
        manifest = ManifestSchema().load(raw)
    except ValidationError as exc:
        _collect(exc.messages, "", problem)
        manifest = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    _check_characters(raw, "", problem)
    _check_version(manifest, problem)
    _check_vocabularies(manifest, problem, result.notices)
    _check_statutory_returns(manifest, problem)
    _check_depends(manifest, problem)
    _check_duplicates(manifest, problem)
    _check_placeholders(manifest, problem)
    result.manifest = manifest
    return result


def _decode(data: bytes, limits: Limits, problems: list[Problem]) -> str | None:
    """Decode the manifest as UTF-8 text within its size cap."""
    if len(data) > limits.max_manifest_bytes:
        problems.append(
            Problem(
                MANIFEST_NAME,
                f"cmspack.yaml is {len(data):,} bytes; the limit is {limits.max_manifest_bytes:,}. Move long text to README.md.",
                None,
                "too-large",
            )
        )
        return None
    if b"\x00" in data:
        problems.append(
            Problem(MANIFEST_NAME, "cmspack.yaml is binary; it must be UTF-8 text.", None, "binary")
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                MANIFEST_NAME,
                f"cmspack.yaml is not UTF-8 text (byte {exc.start}); save it as UTF-8.",
                None,
                "encoding",
            )
        )
        return None


def _collect(messages: Any, path: str, problem: Any) -> None:
    """Turn marshmallow's nested error messages into problems with field paths."""
    if isinstance(messages, list):
        for m in messages:
            if isinstance(m, str | dict):
                _collect(m, path, problem)
        return
    if isinstance(messages, str):
        if messages == "Unknown field.":
            key = path.rsplit(".", 1)[-1]
            parent = path.split("[")[0] if "." in path else ""
            allowed = NESTED_KEYS.get(parent, ALLOWED_KEYS)
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f" Did you mean `{near[0]}`?" if near else ""
            problem(
                path,
                f"Unknown field `{key}`.{hint} Allowed here: {', '.join(allowed)}.",
                "unknown-key",
            )
        else:
            problem(path, messages)
        return
    for key, value in messages.items():
        if isinstance(key, int):
            child = f"{path}[{key}]"
        elif key == "_schema" or (key == "value" and path.startswith("depends")):
            child = path
        else:
            child = f"{path}.{key}" if path else str(key)
        _collect(value, child, problem)


def _bad_character(text: str) -> str | None:
    """The first character that has no place in manifest text, described, or None."""
    for ch in text:
        if ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        # Cc: control characters (NUL, ESC …); Cs: lone surrogates; Cf: invisible format
        # characters such as right-to-left overrides, which can disguise what text says.
        if category in ("Cc", "Cs", "Cf"):
            return f"U+{ord(ch):04X}"
    return None


def _check_characters(value: Any, path: str, problem: Any) -> None:
    """Refuse control, surrogate and invisible format characters anywhere in the manifest."""
    if isinstance(value, str):
        bad = _bad_character(value)
        if bad:
            problem(
                path or MANIFEST_NAME,
                f"`{path}` contains the invisible or control character {bad}; retype the text without it.",
                "control-character",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if _bad_character(str(key)):
                _check_characters(str(key), child, problem)
            else:
                _check_characters(item, child, problem)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_characters(item, f"{path}[{i}]", problem)


def _check_version(manifest: dict, problem: Any) -> None:
    version = manifest.get("version")
    if isinstance(version, str) and not is_semver(version):
        problem(
            "version",
            f"`version` '{version[:70]}' is not Semantic Versioning 2.0.0; write MAJOR.MINOR.PATCH like 1.2.0 (a pre-release looks like 1.2.0-rc.1).",
        )


def _check_vocabularies(manifest: dict, problem: Any, notices: list[Notice]) -> None:
    """Replace aliases with slugs (with a notice) and report values outside a vocabulary."""
    vocabularies = load_vocabularies()

    def check(path: str, value: str, key: str) -> str:
        vocab = vocabularies[key]
        term = vocab.resolve(value)
        if term is None:
            near = vocab.closest(value)
            hint = f" Did you mean {', '.join(near)}?" if near else ""
            problem(
                path,
                f"'{value[:70]}' is not a known {vocab.title.lower()}.{hint} Allowed: {', '.join(vocab.slugs)}. See docs/vocabularies.md.",
                "vocabulary",
            )
            return value
        if term.slug != value:
            notices.append(Notice(path, f"'{value}' is stored as '{term.slug}' ({term.name})."))
        if term.deprecated:
            instead = (
                f" Use '{term.deprecated.successor}' "
                f"({vocab.display_name(term.deprecated.successor)}) in new packs."
                if term.deprecated.successor
                else ""
            )
            notices.append(
                Notice(
                    path,
                    f"'{term.slug}' is deprecated: {term.deprecated.reason}{instead} It stays valid for packs that use it.",
                )
            )
        return term.slug

    for fld, key in VOCAB_FIELDS.items():
        value = manifest.get(fld)
        if isinstance(value, str):
            manifest[fld] = check(fld, value, key)
        elif isinstance(value, list):
            manifest[fld] = [check(f"{fld}[{i}]", v, key) for i, v in enumerate(value)]
    for i, product in enumerate(manifest.get("products") or []):
        if isinstance(product, dict) and isinstance(product.get("id"), str):
            product["id"] = check(f"products[{i}].id", product["id"], "product")
    for i, entry in enumerate(manifest.get("statutory_returns") or []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            entry["id"] = check(f"statutory_returns[{i}].id", entry["id"], "statutory_return")


def _check_statutory_returns(manifest: dict, problem: Any) -> None:
    """Each collection year is YYYY-YY with consecutive years, listed once; each return once."""
    seen_ids: set[str] = set()
    for i, entry in enumerate(manifest.get("statutory_returns") or []):
        if not isinstance(entry, dict):
            continue
        ident = entry.get("id")
        if isinstance(ident, str):
            if ident in seen_ids:
                problem(
                    f"statutory_returns[{i}].id",
                    f"'{ident}' is listed twice in `statutory_returns`; list it once with all its years.",
                    "duplicate",
                )
            seen_ids.add(ident)
        seen_years: set[str] = set()
        for j, year in enumerate(entry.get("years") or []):
            if not isinstance(year, str):
                continue
            path = f"statutory_returns[{i}].years[{j}]"
            if not _is_collection_year(year):
                problem(
                    path,
                    f"'{year[:20]}' is not a collection year: write the first year in full and the next year's last two digits, e.g. 2025-26.",
                    "year",
                )
            elif year in seen_years:
                problem(path, f"'{year}' is listed twice; list each year once.", "duplicate")
            seen_years.add(year)


def _is_collection_year(text: str) -> bool:
    """Whether text is a collection year such as 2025-26 (or 2099-00)."""
    match = YEAR_RE.match(text)
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return 1990 <= first <= 2099 and second == (first + 1) % 100


def _check_depends(manifest: dict, problem: Any) -> None:
    depends = manifest.get("depends") or {}
    if len(depends) > MAX_DEPENDS:
        problem("depends", f"List at most {MAX_DEPENDS} dependencies.")
    for target, spec in depends.items():
        path = f"depends.{target}"
        parts = target.split("/") if isinstance(target, str) else []
        if len(parts) != 2 or not all(SLUG_RE.match(p) for p in parts):
            problem(
                path,
                f"Dependency '{str(target)[:70]}' must be written publisher/name, both slugs ({SLUG_HELP}).",
            )
        elif parts == [manifest.get("publisher"), manifest.get("name")]:
            problem(path, "A pack cannot depend on itself.")
        if isinstance(spec, str):
            try:
                parse_specifier(spec)
            except VersionError as exc:
                problem(path, f"Version range for {target}: {exc}.")


def _check_duplicates(manifest: dict, problem: Any) -> None:
    for fld in (*VOCAB_FIELDS, "keywords"):
        value = manifest.get(fld)
        if isinstance(value, list):
            seen = set()
            for v in value:
                folded = v.lower() if isinstance(v, str) else v
                if folded in seen:
                    problem(fld, f"'{v}' is listed twice in `{fld}`; list it once.", "duplicate")
                seen.add(folded)
    ids = [p.get("id") for p in manifest.get("products") or [] if isinstance(p, dict)]
    if len(ids) != len(set(ids)):
        problem("products", "A product is listed twice in `products`; list each once.", "duplicate")


def _check_placeholders(manifest: dict, problem: Any) -> None:
    """Refuse the publisher and maintainer address `cmsreg init` fills in by default."""
    if manifest.get("publisher") == PLACEHOLDER_PUBLISHER:
        problem(
            "publisher",
            f"`publisher` is still `cmsreg init`'s placeholder '{PLACEHOLDER_PUBLISHER}': write your organisation's slug, e.g. hertfordshire.",
            "placeholder",
        )
    for i, m in enumerate(manifest.get("maintainers") or []):
        email = m.get("email") if isinstance(m, dict) else None
        if isinstance(email, str) and email.lower() == PLACEHOLDER_EMAIL:
            problem(
                f"maintainers[{i}].email",
                f"{PLACEHOLDER_EMAIL} is `cmsreg init`'s example address: write the mailbox of the team that looks after the pack.",
                "placeholder",
            )


__all__ = [
    "ALLOWED_KEYS",
    "EMAIL_RE",
    "EXCLUDE",
    "MANIFEST_NAME",
    "PLACEHOLDER_EMAIL",
    "PLACEHOLDER_PUBLISHER",
    "SLUG_RE",
    "ManifestResult",
    "parse_manifest",
]
