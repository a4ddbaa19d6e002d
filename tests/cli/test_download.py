"""`cmsreg download`: checked against the advertised SHA-256, kept or extracted safely, never over."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli import exits
from cli.main import cli
from cli.session import Obj
from tests.cli.catalogue import CP, cp_files, publish_catalogue
from tests.cli.conftest import REGISTRY
from tests.conftest import auth
from tests.hostile import tar_gz_bytes, tar_member

NAME = CP.split("/")[1]


@pytest.fixture
def catalogue(client, accounts):
    return publish_catalogue(client, accounts)


class Altering(httpx.BaseTransport):
    """The app, with answers to paths ending in `suffix` changed on the way to the client."""

    def __init__(self, app, change: Callable[[str, bytes, dict], tuple[bytes, dict]]):
        self.inner = httpx.WSGITransport(app=app)
        self.change = change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        headers = {
            k.lower(): v for k, v in response.headers.items() if k.lower() != "content-length"
        }
        body, headers = self.change(request.url.path, body, headers)
        return httpx.Response(response.status_code, headers=headers, content=body)


@pytest.fixture
def altered(app, cli_config):
    """Run cmsreg through an Altering transport."""

    def run(change, *args: str) -> object:
        env = {"CMSREG_CONFIG": str(cli_config), "CMSREG_REGISTRY": REGISTRY, "COLUMNS": "80"}
        return CliRunner().invoke(
            cli, list(args), obj=Obj(transport=Altering(app, change)), env=env
        )

    return run


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    """A folder of its own to download into (tmp_path holds the registry's instance)."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- what is kept -----------------------------------------------------------------------------


def test_download_latest_zip_verified(cmsreg, catalogue, client, dest):
    out = cmsreg("download", CP, "-o", str(dest / "packs"))
    assert out.exit_code == 0, out.output
    kept = dest / "packs" / f"{NAME}-1.3.0.zip"
    advertised = client.get(f"/api/v1/packs/{CP}/versions/1.3.0").get_json()["archive_sha256"]
    assert sha256(kept) == advertised["zip"]
    assert out.stdout.splitlines() == [str(kept), f"sha256:{advertised['zip']} verified"]
    with zipfile.ZipFile(kept) as archive:
        assert sorted(archive.namelist()) == sorted(cp_files("1.3.0"))
    assert leftovers(dest / "packs") == []
    assert stat.S_IMODE(kept.stat().st_mode) == 0o666 & ~current_umask()


def test_download_exact_version_as_tar_gz_with_json(cmsreg, catalogue, client, dest):
    out = cmsreg("download", CP + "@1.2.0", "--format", "tar.gz", "-o", str(dest), "--json")
    assert out.exit_code == 0, out.output
    answer = json.loads(out.stdout)
    kept = dest / f"{NAME}-1.2.0.tar.gz"
    advertised = client.get(f"/api/v1/packs/{CP}/versions/1.2.0").get_json()["archive_sha256"]
    assert answer == {
        "publisher": "hertfordshire",
        "name": NAME,
        "version": "1.2.0",
        "format": "tar.gz",
        "path": str(kept),
        "sha256": advertised["tar.gz"],
        "verified": True,
        "extracted": False,
        "files": None,
        "yanked": False,
    }
    assert sha256(kept) == advertised["tar.gz"]
    with tarfile.open(kept) as archive:
        assert sorted(archive.getnames()) == sorted(cp_files("1.2.0"))


def test_never_overwrites_without_force(cmsreg, catalogue, dest):
    kept = dest / f"{NAME}-1.3.0.zip"
    kept.write_bytes(b"my own file")
    out = cmsreg("download", CP, "-o", str(dest))
    assert out.exit_code == exits.USAGE
    assert "already exists" in out.output and "--force" in out.output
    assert kept.read_bytes() == b"my own file"
    assert leftovers(dest) == []
    forced = cmsreg("download", CP, "-o", str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    assert kept.read_bytes().startswith(b"PK")


def test_a_folder_in_the_way_is_not_replaced_by_an_archive(cmsreg, catalogue, dest):
    (dest / f"{NAME}-1.3.0.zip").mkdir()
    out = cmsreg("download", CP, "-o", str(dest), "--force")
    assert out.exit_code == exits.USAGE and "is a folder" in out.output


# -- extract ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_extract_writes_exactly_the_packs_files(cmsreg, catalogue, dest, fmt):
    out = cmsreg("download", CP + "@1.2.0", "--extract", "--format", fmt, "-o", str(dest))
    assert out.exit_code == 0, out.output
    folder = dest / f"{NAME}-1.2.0"
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    assert files == cp_files("1.2.0")
    assert "verified (4 files extracted)" in out.output
    assert sorted(p.name for p in dest.iterdir()) == [folder.name]  # no archive, no temp


def test_extract_refuses_to_overwrite_without_force(cmsreg, catalogue, dest):
    folder = dest / f"{NAME}-1.3.0"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    out = cmsreg("download", CP, "--extract", "-o", str(dest))
    assert out.exit_code == exits.USAGE and "already exists" in out.output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    forced = cmsreg("download", CP, "--extract", "-o", str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    assert not (folder / "notes.txt").exists()
    assert (folder / "config" / "lookups.csv").read_bytes() == cp_files("1.3.0")[
        "config/lookups.csv"
    ]
    assert leftovers(dest) == []


def test_extract_applies_the_upload_rules(altered, catalogue, client, dest):
    # An archive that matches what the registry advertises, yet breaks the rules: the client's
    # own reading refuses it and writes nothing anywhere.
    hostile = tar_gz_bytes(
        [
            tar_member("cmspack.yaml", cp_files("1.3.0")["cmspack.yaml"]),
            tar_member("../../outside.txt", b"escaped"),
            tar_member("config/link", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
        ]
    )
    sha = hashlib.sha256(hostile).hexdigest()

    def change(path: str, body: bytes, headers: dict) -> tuple[bytes, dict]:
        if path.endswith("/download"):
            return hostile, {**headers, "x-checksum-sha256": sha}
        if path.endswith("/versions/latest"):
            detail = json.loads(body)
            detail["archive_sha256"]["tar.gz"] = sha
            return json.dumps(detail).encode(), headers
        return body, headers

    target = dest / "deep" / "er"
    out = altered(change, "download", CP, "--extract", "--format", "tar.gz", "-o", str(target))
    assert out.exit_code == exits.REGISTRY, out.output
    assert "nothing was extracted" in out.output
    assert "outside.txt" in out.output and "symbolic link" in out.output
    assert list(target.iterdir()) == []
    assert not (dest / "outside.txt").exists() and not (dest / "deep" / "outside.txt").exists()


# -- refused ----------------------------------------------------------------------------------


def test_altered_bytes_are_refused_and_nothing_kept(altered, catalogue, dest):
    def flip(path: str, body: bytes, headers: dict) -> tuple[bytes, dict]:
        if path.endswith("/download"):
            body = body[:100] + bytes([body[100] ^ 1]) + body[101:]
        return body, headers

    for extra in ((), ("--extract",)):
        out = altered(flip, "download", CP, "-o", str(dest), *extra)
        assert out.exit_code == exits.REGISTRY, out.output
        assert "advertises" in out.output and "nothing was kept" in " ".join(out.output.split())
        assert list(dest.iterdir()) == []


@pytest.mark.parametrize("header", ["x-checksum-sha256", "digest"])
def test_a_header_that_disagrees_is_refused(altered, catalogue, dest, header):
    zeros = {
        "x-checksum-sha256": "0" * 64,
        "digest": "sha-256=" + base64.b64encode(bytes(32)).decode(),
    }

    def lie(path: str, body: bytes, headers: dict) -> tuple[bytes, dict]:
        if path.endswith("/download"):
            headers = {k: v for k, v in headers.items() if k != "x-checksum-sha256"}
            headers[header] = zeros[header]
        return body, headers

    out = altered(lie, "download", CP, "-o", str(dest))
    assert out.exit_code == exits.REGISTRY and "0" * 64 in out.output
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("version", ["../../evil", "1.2.0"])
def test_a_version_that_is_not_the_one_asked_for_is_refused(altered, catalogue, dest, version):
    def rename(path: str, body: bytes, headers: dict) -> tuple[bytes, dict]:
        if "/versions/" in path and not path.endswith("/download"):
            body = json.dumps({**json.loads(body), "version": version}).encode()
        return body, headers

    out = altered(rename, "download", CP + "@1.3.0", "-o", str(dest))
    assert out.exit_code == exits.REGISTRY and "nothing was downloaded" in out.output
    assert list(dest.iterdir()) == [] and not (dest.parent.parent / "evil").exists()


def test_yanked_versions(cmsreg, catalogue, client, dest):
    r = client.post(
        f"/api/v1/packs/{CP}/versions/1.3.0/yank",
        json={"reason": "Wrong ICPC step [red]"},
        headers=auth(catalogue.herts),
    )
    assert r.status_code == 200
    # Without a version: the latest that is not yanked.
    out = cmsreg("download", CP, "-o", str(dest))
    assert out.exit_code == 0, out.output
    assert (dest / f"{NAME}-1.2.0.zip").exists()
    # Asked for exactly: downloaded, with a warning.
    exact = cmsreg("download", CP + "@1.3.0", "-o", str(dest))
    assert exact.exit_code == 0, exact.output
    assert "1.3.0 is yanked: Wrong ICPC step [red]" in exact.stderr
    assert (dest / f"{NAME}-1.3.0.zip").exists()
    client.post(
        f"/api/v1/packs/{CP}/versions/1.2.0/yank",
        json={"reason": "Superseded"},
        headers=auth(catalogue.herts),
    )
    none = cmsreg("download", CP, "-o", str(dest / "none"))
    assert none.exit_code == exits.REGISTRY
    assert "Every version of" in none.output and "is yanked" in none.output


def test_errors(cmsreg, catalogue, dest):
    missing = cmsreg("download", "hertfordshire/nothing-here", "-o", str(dest))
    assert missing.exit_code == exits.REGISTRY and "No pack hertfordshire/nothing-here" in (
        missing.output
    )
    assert cmsreg("download", CP + "@7.0.0", "-o", str(dest)).exit_code == exits.REGISTRY
    assert cmsreg("download", "nothing", "-o", str(dest)).exit_code == exits.USAGE
    assert cmsreg("download", CP, "--format", "rar").exit_code == exits.USAGE
    (dest / "a-file").write_text("x")
    under_a_file = cmsreg("download", CP, "-o", str(dest / "a-file" / "sub"))
    assert under_a_file.exit_code == exits.USAGE and "Cannot write in" in under_a_file.output
    (dest / "a-file").unlink()
    assert list(dest.iterdir()) == []


def test_progress_bar_on_a_terminal_only(cmsreg, catalogue, dest):
    # Not a terminal here: the output is the path and the checksum, nothing else.
    out = cmsreg("download", CP, "-o", str(dest))
    assert len(out.output.splitlines()) == 2
    assert "\x1b[" not in out.output
    # On a terminal: a bar on standard error, while standard output stays the same two lines.
    shown = cmsreg("download", CP, "-o", str(dest), "--force", env={"FORCE_COLOR": "1"})
    assert shown.exit_code == 0, shown.output
    assert f"{NAME} 1.3.0" in shown.stderr and "━" in shown.stderr
    assert shown.stdout == out.stdout
