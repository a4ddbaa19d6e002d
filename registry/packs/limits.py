"""Upload limits (SPEC §4). The registry's settings override these defaults."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large and how deep a pack may be; every number is a setting."""

    max_archive_bytes: int = 50 * MiB  # the compressed upload
    max_unpacked_bytes: int = 200 * MiB  # all files together, counted while decompressing
    max_files: int = 2000
    max_depth: int = 12  # path components, e.g. config/forms/a.xml is 3
    max_name_bytes: int = 255  # one path component, UTF-8 encoded
    max_manifest_bytes: int = 64 * 1024
    max_scan_bytes: int = 20 * MiB  # XML read from one DOCX/XLSX; text files are scanned in full
    # Uploads one process checks at once; each costs a fixed amount of memory (at most 64 MiB),
    # so a worker needs this many times that. The rest wait up to validation_wait_seconds, then
    # are told to try again (503): less than a gunicorn worker's 30-second timeout.
    max_concurrent_validations: int = 2
    validation_wait_seconds: float = 15.0


DEFAULT_LIMITS = Limits()
