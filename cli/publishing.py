"""`cmsreg publish`: validate offline, build, upload with a progress bar, say who reviews it.

The pack is checked offline with the registry's own validation first, so a pack with problems
never costs an upload. A folder is built into a temporary zip on disk (the same bytes
`cmsreg build` makes); an archive is sent as it is.
The archive is streamed from disk as httpx reads it, never held whole in memory.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console

from cli import exits
from cli.session import json_option, open_client, registry_option

SUBMISSIONS = "/api/v1/submissions"
ARCHIVE_TYPES = {
    ".zip": "application/zip",
    ".tar.gz": "application/gzip",
    ".tgz": "application/gzip",
}


@click.command()
@click.argument("source", default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Have the registry run every check of an upload (permissions, publisher, version, "
    "dependencies) and store nothing.",
)
@registry_option
@json_option
def publish(source: Path, dry_run: bool, registry: str | None, as_json: bool) -> None:
    """Validate a pack folder or archive, upload it for review, and say who will review it."""
    from cli.client import ClientError, print_json
    from cli.render import print_report
    from registry.packs.validate import validate as validate_pack

    err = Console(stderr=True, highlight=False)
    with validate_pack(source) as report:
        if not report.ok:
            if as_json:
                print_json(report.to_dict())
            else:
                print_report(report, err)
                err.print("Nothing was uploaded: fix the problems above and publish again.")
            sys.exit(exits.INVALID)
        with open_client(registry, signed_in=True) as client, _archive(source, report) as archive:
            try:
                answer = _upload(client, archive, dry_run, err)
            except ClientError as exc:
                _refused(exc, as_json, err)
                raise
    if as_json:
        print_json(answer)
    else:
        _print_answer(answer, Console(highlight=False))


@contextmanager
def _archive(source: Path, report: Any) -> Iterator[tuple[str, Path, str]]:
    """(file name, path, content type) of the archive to send: the one given, or one built."""
    name = source.name.lower()
    for suffix, content_type in ARCHIVE_TYPES.items():
        if source.is_file() and name.endswith(suffix):
            yield source.name, source, content_type
            return
    from registry.packs.build import write_zip

    manifest = report.manifest or {}
    filename = f"{manifest.get('name', 'pack')}-{manifest.get('version', '0')}.zip"
    with tempfile.TemporaryDirectory(prefix="cmsreg-publish-") as folder:
        path = Path(folder) / filename
        with path.open("wb") as out:  # written as it is built, never whole in memory
            write_zip(report.files, out)
        yield filename, path, "application/zip"


class _Progress:
    """A file opened for reading that moves a progress bar as httpx reads it in chunks."""

    def __init__(self, file: IO[bytes], advance: Any) -> None:
        self._file = file
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        self._advance(self._file.tell())
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


def _upload(client: Any, archive: tuple[str, Path, str], dry_run: bool, err: Console) -> Any:
    """POST the archive as multipart, streamed from disk, with a progress bar on stderr."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    filename, path, content_type = archive
    size = path.stat().st_size
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    verb = "Checking" if dry_run else "Uploading"
    with (
        Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress,
        path.open("rb") as file,
    ):
        task = progress.add_task(f"{verb} {filename}", total=size)
        waiting = f"{filename} sent; the registry is checking it"

        def advance(done: int) -> None:
            progress.update(task, completed=done, description=waiting if done >= size else None)

        reader = _Progress(file, advance)
        return client.post(
            SUBMISSIONS,
            params={"dry_run": "true"} if dry_run else None,
            files={"archive": (filename, reader, content_type)},
        )


def _refused(exc: Any, as_json: bool, err: Console) -> None:
    """Show what the registry refused: its problems and findings as `validate` shows them."""
    from cli.client import print_json
    from cli.render import print_findings, print_problems
    from registry.packs.problems import Finding, Problem

    body = exc.body if isinstance(exc.body, dict) else None
    if as_json and body is not None:
        print_json(body)
        exc.message = f"The registry answered {exc.status}."
        return
    errors = (body or {}).get("errors") or {}
    problems = errors.get("problems") if isinstance(errors, dict) else None
    findings = errors.get("findings") if isinstance(errors, dict) else None
    if not (problems or findings):
        return
    print_problems([Problem(**p) for p in problems or []], err)
    print_findings([Finding(**f) for f in findings or []], err)
    exc.message = f"{body['message']}\nNothing was stored."  # type: ignore[index]
    if exc.status == 413:
        exc.exit_code = exits.INVALID  # a size limit is the pack's, as offline


def _print_answer(answer: dict, out: Console) -> None:
    """The submission's id and status, the warnings to acknowledge, and who reviews it."""
    from cli.render import print_findings
    from registry.packs.problems import Finding

    title = f"{answer['publisher']}/{answer['name']} {answer['version']}"
    if answer.get("dry_run"):
        out.print(
            f"[green]✔ dry run[/]: the registry would take {title} for review "
            "(every check passed); nothing was stored. Publish without --dry-run to submit it."
        )
    else:
        out.print(
            f"[green]✔ submitted[/] {title} for review: submission {answer['id']}, "
            f"status {answer['status']}."
        )
    checks = answer.get("checks") or {}
    warnings = [
        Finding(**{k: v for k, v in f.items() if k != "id"})
        for f in checks.get("findings") or []
        if f.get("severity") == "warn"
    ]
    print_findings(warnings, out, "Warnings a moderator will have to acknowledge")
    for flag in checks.get("flags") or []:
        out.print(f"[yellow]{flag['id']}[/]: {flag['message']}")
    reviewers = answer.get("reviewers") or {}
    supplier = reviewers.get("supplier") or answer.get("supplier")
    count = reviewers.get("moderators")
    if count:
        groups = ", ".join(reviewers.get("organisations") or []) or "the registry"
        people = f"{count} moderator{'s' if count != 1 else ''}"
        out.print(f"Reviewed by {groups} ({people} of {supplier} packs).")
    elif count == 0:
        out.print(
            f"[yellow]Warning[/]: no one moderates {supplier} packs on this registry yet, so "
            "no one can review it until an administrator names a moderator for that supplier."
        )
