"""`cmsreg download`: fetch a version's archive, check its SHA-256, and keep or extract it.

Nothing is kept until the bytes match the SHA-256 the registry advertises: the archive is
streamed into a temporary file beside its destination while it is hashed, and renamed into
place only when the hash agrees. `--extract` reads the archive with the registry's own reader
(`registry.packs.archive`, the rules every upload passes: no path outside the folder, no links,
limits on size and count) and writes the files into a new folder renamed into place at the end.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli import exits
from cli.client import ClientError, print_json
from cli.refs import parse_pack
from cli.session import json_option, open_client, registry_option

if TYPE_CHECKING:
    import httpx

    from registry.packs.archive import PackFiles

FORMATS = ("zip", "tar.gz")
CHUNK = 64 * 1024
# Files are written as anyone's umask allows a new file: never executable.
FILE_MODE = 0o666
FOLDER_MODE = 0o777


class Exists(click.ClickException):
    """The destination exists without --force, or cannot be written (a usage error, exit 2)."""

    exit_code = exits.USAGE


@click.command()
@click.argument("pack", metavar="PUBLISHER/NAME[@VERSION]")
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The folder to put the archive (or extracted folder) in; made if missing.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="zip", show_default=True)
@click.option(
    "--extract",
    is_flag=True,
    help="Unpack into OUTPUT/NAME-VERSION/ instead of keeping the archive (nothing outside "
    "that folder, no links).",
)
@click.option("--force", is_flag=True, help="Replace a file or folder of the same name.")
@registry_option
@json_option
def download(
    pack: str,
    folder: Path,
    fmt: str,
    extract: bool,
    force: bool,
    registry: str | None,
    as_json: bool,
) -> None:
    """Download a version and check the SHA-256 the registry advertises; --extract unpacks it.

    Without @VERSION the latest version that is not yanked is downloaded. The archive is saved
    as OUTPUT/NAME-VERSION.zip (or .tar.gz) only once its SHA-256 matches the registry's; a
    mismatch keeps nothing and exits 3. A yanked version is downloaded only when asked for by
    its exact version, with a warning.
    """
    ref = parse_pack(pack)
    err = _stderr()
    with open_client(registry) as client:
        detail = client.get(ref.version_path)
        version = _checked_version(detail.get("version"), ref.version)
        advertised = (detail.get("archive_sha256") or {}).get(fmt)
        if not advertised:
            raise ClientError(
                f"The registry advertises no SHA-256 for the {fmt} archive of {ref.publisher}/"
                f"{ref.name} {version}, so it cannot be checked; nothing was downloaded."
            )
        if detail.get("yanked"):
            reason = detail.get("yank_reason") or "no reason given"
            err.print(f"Warning: {version} is yanked: {reason}", style="yellow", markup=False)
        stem = f"{ref.name}-{version}"
        target = folder / (stem if extract else f"{stem}.{fmt}")
        _check_free(target, force, extract)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _fetched(client, ref.path, version, fmt, folder, advertised, err) as (
                archive,
                sha,
            ):
                if extract:
                    count = _extract(archive, target, force, f"{stem}.{fmt}")
                else:
                    count = None
                    _keep(archive, target, force)
        except OSError as exc:  # the folder: not writable, full, or a file in the way
            raise Exists(
                f"Cannot write in {folder}: {exc.strerror or exc}. Nothing was kept; choose "
                "another folder with -o."
            ) from None
    if as_json:
        print_json(
            {
                "publisher": ref.publisher,
                "name": ref.name,
                "version": version,
                "format": fmt,
                "path": str(target),
                "sha256": sha,
                "verified": True,
                "extracted": extract,
                "files": count,
                "yanked": bool(detail.get("yanked")),
            }
        )
        return
    click.echo(str(target) + (os.sep if extract else ""))
    what = f" ({count} files extracted)" if extract else ""
    click.echo(f"sha256:{sha} verified{what}")


def _checked_version(version: object, asked: str | None) -> str:
    """The version the registry names, which becomes part of a file name: a version, nothing else."""
    from registry.packs.versions import is_semver

    if (
        not isinstance(version, str)
        or not is_semver(version)
        or asked not in (None, "latest", version)
    ):
        raise ClientError(
            f"The registry answered with {str(version)[:80]!r} as the version, which is not "
            f"{asked or 'a version'}; nothing was downloaded. Check --registry."
        )
    return version


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _check_free(target: Path, force: bool, extract: bool) -> None:
    if not os.path.lexists(target):
        return
    if not force:
        raise Exists(
            f"{target} already exists; nothing was downloaded. Add --force to replace it, or "
            "choose another folder with -o."
        )
    if not extract and target.is_dir() and not target.is_symlink():
        raise Exists(f"{target} is a folder; move it away first (--force replaces only a file).")


@contextmanager
def _fetched(
    client, path: str, version: str, fmt: str, folder: Path, advertised: str, err
) -> Iterator[tuple[Path, str]]:
    """The archive in a temporary file in folder, its SHA-256 checked; deleted unless moved."""
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".cmsreg-", suffix=".part")
    temporary = Path(name)
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(descriptor, "wb") as out,
            client.stream(
                "GET", f"{path}/versions/{version}/download", params={"format": fmt}
            ) as response,
        ):
            claimed = _header_sha256(response)
            total = int(response.headers.get("Content-Length") or 0) or None
            with _progress(err, f"{path.rsplit('/', 1)[-1]} {version}", total) as advance:
                for chunk in response.iter_bytes(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    advance(len(chunk))
        sha = digest.hexdigest()
        wrong = [s for s in (advertised, claimed) if s and s.lower() != sha]
        if wrong:
            raise ClientError(
                f"The {fmt} archive of {version} that arrived has SHA-256 {sha}, but the registry "
                f"advertises {wrong[0]}. It was damaged or altered on the way, so nothing was "
                "kept. Try again; if it happens again, tell the registry's operators."
            )
        yield temporary, sha
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()


def _header_sha256(response: httpx.Response) -> str | None:
    """The SHA-256 the download's own headers state (X-Checksum-SHA256, else Digest), if any."""
    if response.headers.get("X-Checksum-SHA256"):
        return response.headers["X-Checksum-SHA256"].strip().lower()
    for part in response.headers.get("Digest", "").split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.lower() == "sha-256" and value:
            try:
                return base64.b64decode(value, validate=True).hex()
            except (binascii.Error, ValueError):
                return value  # unreadable: it cannot match, so the download is refused
    return None


@contextmanager
def _progress(err, label: str, total: int | None) -> Iterator:
    """A progress bar on standard error when it is a terminal; a no-op advance otherwise."""
    if not err.is_terminal:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _keep(archive: Path, target: Path, force: bool) -> None:
    """Move the checked archive to target; without --force, never over a file that appeared."""
    os.chmod(archive, FILE_MODE & ~_umask())  # mkstemp made it readable by its owner only
    if not force:
        try:
            os.link(archive, target)  # fails, rather than replaces, when target exists
        except FileExistsError:
            raise Exists(
                f"{target} appeared while downloading; add --force to replace it."
            ) from None
        except OSError:
            pass  # a file system without hard links: the check before the download stands
        else:
            return  # the temporary name is removed with the temporary file
    # os.replace swaps a link itself, never what it points at; _check_free refused a folder.
    os.replace(archive, target)


def _extract(archive: Path, target: Path, force: bool, label: str) -> int:
    """Unpack with the registry's reader into a new folder, then rename it to target."""
    from registry.packs.archive import read_pack
    from registry.packs.problems import FatalPackError

    try:
        pack = read_pack(archive)
    except FatalPackError as exc:
        raise ClientError(f"{label} cannot be extracted: {exc}. Nothing was kept.") from None
    try:
        if pack.problems:
            listed = "\n".join(f"  {p.where}: {p.message}" for p in pack.problems[:20])
            raise ClientError(
                f"{label} breaks the registry's own rules, so nothing was extracted:\n{listed}"
            )
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".cmsreg-"))
        try:
            _write_files(pack, staging)
            os.chmod(staging, FOLDER_MODE & ~_umask())
            _swap_in(staging, target, force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return len(pack.files)
    finally:
        pack.close()


def _write_files(pack: PackFiles, root: Path) -> None:
    """Write every file under root; the reader already refused any path that could leave it."""
    base = root.resolve()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for path, content in pack.files.contents().items():
        destination = root.joinpath(*path.split("/"))
        # A second guard, should the rules ever change: nothing is written outside root.
        if not destination.resolve().is_relative_to(base):
            raise ClientError(f"'{path}' would be written outside {root}; nothing was kept.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(destination, flags, FILE_MODE), "wb") as out:
            for chunk in content.chunks():
                out.write(chunk)


def _swap_in(staging: Path, target: Path, force: bool) -> None:
    """Rename the new folder to target, replacing what is there only with --force."""
    old = None
    if os.path.lexists(target):
        if not force:  # it appeared while we were downloading
            raise Exists(f"{target} already exists; add --force to replace it.")
        if target.is_dir() and not target.is_symlink():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=".cmsreg-old-"))
            os.rename(target, old / "previous")
        else:
            target.unlink()
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
