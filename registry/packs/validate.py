"""Validate a pack: the one function both `cmsreg validate` and the registry's upload run.

`validate` collects every problem at once — archive safety, file types, layout, manifest,
vocabularies — and the personal-data findings, so a contributor fixes the whole pack in one
round trip. In order: the archive is read into a spool (bombs stop while streaming), the path
and content rules run, the manifest is read and, once it is valid, handed to `before_scan`
(the registry answers 409 there for a version it already holds, before any scanning), then
every file is scanned in chunks.

A Report holds the pack's files until it is closed (or garbage collected): the registry writes
its blobs from them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from registry.packs.archive import PackFiles, read_archive, read_pack
from registry.packs.limits import DEFAULT_LIMITS, Limits
from registry.packs.manifest import MANIFEST_NAME, ManifestResult, parse_manifest
from registry.packs.problems import FatalPackError, Finding, Notice, Problem
from registry.packs.scan import scan_pack
from registry.packs.slots import validation_slot
from registry.packs.spool import Content, PackContents

README_NAME = "README.md"
# Where a pack's artefacts live (SPEC §2): a pack with nothing in either has nothing to share.
ARTEFACT_FOLDERS = ("config/", "docs/")

# Called with the checked manifest before the scan; it may raise to stop the validation.
BeforeScan = Callable[[dict[str, Any]], None]


@dataclass
class Report:
    """Everything validation found about one pack."""

    source: str
    manifest: dict[str, Any] | None = None
    files: PackContents = field(default_factory=lambda: PackContents({}), repr=False)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        """Findings that can never be published (NHS, UPN and NI numbers)."""
        return [f for f in self.findings if f.severity == "block"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings a moderator must acknowledge before approval."""
        return [f for f in self.findings if f.severity == "warn"]

    @property
    def ok(self) -> bool:
        """True when the pack has no problems and no blocking findings."""
        return not self.problems and not self.blocking

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (file contents left out)."""
        return {
            "source": self.source,
            "valid": self.ok,
            "manifest": self.manifest,
            "files": len(self.files),
            "problems": [p.to_dict() for p in self.problems],
            "notices": [n.to_dict() for n in self.notices],
            "findings": [f.to_dict() for f in self.findings],
            "blocking": len(self.blocking),
            "warnings": len(self.warnings),
        }

    def close(self) -> None:
        """Delete the temporary file holding the pack's files; they cannot be read after."""
        self.files.close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def validate(
    source: str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    *,
    before_scan: BeforeScan | None = None,
) -> Report:
    """Validate a pack directory, .zip or .tar.gz on disk."""
    try:
        pack = read_pack(source, limits)
    except FatalPackError as exc:
        return Report(str(source), problems=list(exc.problems))
    return _validated(pack, str(source), limits, before_scan)


def validate_upload(
    stream: BinaryIO,
    filename: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    before_scan: BeforeScan | None = None,
) -> Report:
    """Validate an uploaded archive stream (the registry's path for POST /submissions).

    At most limits.max_concurrent_validations run at once in a process; one that waits longer
    than limits.validation_wait_seconds for its turn raises registry.packs.slots.Busy.
    """
    with validation_slot(limits):
        try:
            pack = read_archive(stream, filename, limits)
        except FatalPackError as exc:
            return Report(filename, problems=list(exc.problems))
        return _validated(pack, filename, limits, before_scan)


def _validated(
    pack: PackFiles, source: str, limits: Limits, before_scan: BeforeScan | None
) -> Report:
    report = Report(source, files=pack.files, problems=list(pack.problems))
    try:
        _check_layout(report.files, report.problems)
        maintainers: list[str] = []
        if MANIFEST_NAME in report.files:
            parsed = _manifest(report.files.content(MANIFEST_NAME), limits)
            report.manifest = parsed.manifest
            report.problems.extend(parsed.problems)
            report.notices.extend(parsed.notices)
            for m in (parsed.manifest or {}).get("maintainers") or []:
                if isinstance(m, dict) and isinstance(m.get("email"), str):
                    maintainers.append(m["email"])
            if before_scan is not None and parsed.manifest is not None and not parsed.problems:
                before_scan(parsed.manifest)
        report.findings = scan_pack(report.files, allowed_emails=maintainers, limits=limits)
    except BaseException:
        report.close()
        raise
    return report


def _manifest(content: Content, limits: Limits) -> ManifestResult:
    """Parse cmspack.yaml, refusing one over the size limit without reading it whole."""
    if content.size > limits.max_manifest_bytes:
        # parse_manifest's own words for this, with the real size, not the bytes read.
        message = (
            f"cmspack.yaml is {content.size:,} bytes; the limit is {limits.max_manifest_bytes:,}. "
            "Move long text to README.md."
        )
        return ManifestResult(None, [Problem(MANIFEST_NAME, message, None, "too-large")])
    return parse_manifest(content.read(), limits)


def _check_layout(files: PackContents, problems: list[Problem]) -> None:
    """The two files every pack needs at its top level."""
    if MANIFEST_NAME not in files:
        near = [p for p in files if p.lower().endswith(("cmspack.yaml", "cmspack.yml"))]
        hint = (
            f" Found {near[0]}: move or rename it." if near else " Run `cmsreg init` to create one."
        )
        problems.append(
            Problem(
                MANIFEST_NAME,
                f"The pack has no cmspack.yaml at its top level.{hint}",
                None,
                "missing-manifest",
            )
        )
    if README_NAME not in files:
        problems.append(
            Problem(
                README_NAME,
                "The pack has no README.md at its top level: say what the pack is and how to install it in the CMS.",
                None,
                "missing-readme",
            )
        )
    elif not any(chunk.strip() for chunk in files.content(README_NAME).chunks()):
        problems.append(
            Problem(
                README_NAME,
                "README.md is empty: say what the pack is and how to install it in the CMS.",
                None,
                "empty-readme",
            )
        )
    if not any(path.startswith(ARTEFACT_FOLDERS) for path in files):
        problems.append(
            Problem(
                "config/",
                "The pack has no files under config/ or docs/: add the configuration artefacts "
                "(forms, workflow steps, reports, templates) to config/, guidance to docs/.",
                None,
                "no-artefacts",
            )
        )
