"""Validate a pack: the one function both `cmsreg validate` and the registry's upload run.

`validate` collects every problem at once — archive safety, layout, manifest, vocabularies — and
the personal-data findings, so a contributor fixes the whole pack in one round trip.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from registry.packs.archive import PackFiles, read_archive, read_pack
from registry.packs.limits import DEFAULT_LIMITS, Limits
from registry.packs.manifest import MANIFEST_NAME, parse_manifest
from registry.packs.problems import FatalPackError, Finding, Notice, Problem
from registry.packs.scan import scan_files

README_NAME = "README.md"


@dataclass
class Report:
    """Everything validation found about one pack."""

    source: str
    manifest: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
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


def validate(source: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Report:
    """Validate a pack directory, .zip or .tar.gz on disk."""
    try:
        pack = read_pack(source, limits)
    except FatalPackError as exc:
        return Report(str(source), problems=list(exc.problems))
    return validate_files(pack.files, source=str(source), problems=pack.problems, limits=limits)


def validate_upload(stream: BinaryIO, filename: str, limits: Limits = DEFAULT_LIMITS) -> Report:
    """Validate an uploaded archive stream (the registry's path for POST /submissions)."""
    try:
        pack: PackFiles = read_archive(stream, filename, limits)
    except FatalPackError as exc:
        return Report(filename, problems=list(exc.problems))
    return validate_files(pack.files, source=filename, problems=pack.problems, limits=limits)


def validate_files(
    files: Mapping[str, bytes],
    *,
    source: str = "<files>",
    problems: list[Problem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Validate files already read safely (path -> bytes); problems carries earlier ones."""
    report = Report(source, files=dict(files), problems=list(problems or []))
    _check_layout(report.files, report.problems)
    maintainers: list[str] = []
    if MANIFEST_NAME in report.files:
        parsed = parse_manifest(report.files[MANIFEST_NAME], limits)
        report.manifest = parsed.manifest
        report.problems.extend(parsed.problems)
        report.notices.extend(parsed.notices)
        for m in (parsed.manifest or {}).get("maintainers") or []:
            if isinstance(m, dict) and isinstance(m.get("email"), str):
                maintainers.append(m["email"])
    report.findings = scan_files(report.files, allowed_emails=maintainers, limits=limits)
    return report


def _check_layout(files: Mapping[str, bytes], problems: list[Problem]) -> None:
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
    readme = files.get(README_NAME)
    if readme is None:
        problems.append(
            Problem(
                README_NAME,
                "The pack has no README.md at its top level: say what the pack is and how to install it in the CMS.",
                None,
                "missing-readme",
            )
        )
    elif not readme.strip():
        problems.append(
            Problem(
                README_NAME,
                "README.md is empty: say what the pack is and how to install it in the CMS.",
                None,
                "empty-readme",
            )
        )
