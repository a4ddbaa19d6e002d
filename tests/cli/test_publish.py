"""`cmsreg publish`, driven as a contributor would, against the real registry in-process."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli import exits
from cli.main import cli
from cli.session import Obj
from registry.packs.build import build_tar_gz, build_zip
from tests.api.test_dry_run import held
from tests.api.test_flow import publish_and_approve
from tests.conftest import auth
from tests.packs.manifests import manifest_bytes, pack_files

NHS = b"code,description\nCP1,Child 943 476 5919 open\n"
POSTCODE = b"team,postcode\nMASH,SW1A 1AA\n"


def write_folder(folder: Path, files: dict[str, bytes]) -> Path:
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


@pytest.fixture
def people(accounts, client):
    """A Hertfordshire publisher, a system-c moderator in a user group, the forms pack approved."""
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    forms = pack_files(name="family-safeguarding-forms", version="1.1.0", depends=...)
    publish_and_approve(client, pub, mod, forms)
    return {"publisher": pub, "moderator": mod}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A valid pack folder with a postcode a moderator must acknowledge."""
    return write_folder(tmp_path / "pack", pack_files() | {"config/teams.csv": POSTCODE})


def test_publish_a_folder_prints_id_status_warnings_and_reviewers(
    cmsreg, client, people, pack
) -> None:
    done = cmsreg("publish", str(pack), token=people["publisher"])
    assert done.exit_code == 0, done.output
    out = done.stdout
    sid = int(out.split("submission ")[1].split(",")[0])
    assert "hertfordshire/family-safeguarding-cp-workflow 1.2.0" in out
    assert "status pending" in out
    assert "Warnings a moderator will have to acknowledge (1)" in out
    assert "config/teams.csv:2" in out and "postcode" in out and "SW1A 1AA" not in out
    assert "Reviewed by lcs-user-group (1 moderator of system-c packs)" in out
    r = client.get(f"/api/v1/submissions/{sid}", headers=auth(people["moderator"]))
    assert r.status_code == 200 and r.get_json()["status"] == "pending"


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_publish_an_archive(cmsreg, people, tmp_path, kind) -> None:
    build = build_zip if kind == "zip" else build_tar_gz
    archive = tmp_path / f"pack.{kind}"
    archive.write_bytes(build(pack_files()).data)
    done = cmsreg("publish", str(archive), "--json", token=people["publisher"])
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)
    assert answer["status"] == "pending" and answer["dry_run"] is False
    assert answer["reviewers"]["organisations"] == ["lcs-user-group"]


def test_dry_run_stores_nothing_and_says_so(cmsreg, reg, people, pack) -> None:
    before = held(reg)
    done = cmsreg("publish", str(pack), "--dry-run", token=people["publisher"])
    assert done.exit_code == 0, done.output
    assert "dry run" in done.stdout and "nothing was stored" in done.stdout
    assert "Warnings a moderator will have to acknowledge (1)" in done.stdout
    assert held(reg) == before
    as_json = cmsreg("publish", str(pack), "--dry-run", "--json", token=people["publisher"])
    assert json.loads(as_json.stdout)["status"] == "dry-run"
    assert held(reg) == before


def test_no_moderator_for_the_supplier_is_a_plain_warning(cmsreg, accounts, tmp_path) -> None:
    token = accounts.token("leeds-admin", "leeds", ("publish",))
    files = pack_files(publisher="leeds", supplier="olm", depends=...)
    done = cmsreg("publish", str(write_folder(tmp_path / "p", files)), token=token)
    assert done.exit_code == 0, done.output
    assert "no one moderates olm packs on this registry yet" in done.stdout


def run_recording_requests(*args: str) -> tuple:
    """Run `cmsreg ARGS…` with a transport that records every request and answers none."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.ConnectError("no request was expected")

    result = CliRunner().invoke(
        cli,
        list(args),
        obj=Obj(transport=httpx.MockTransport(record)),
        env={"CMSREG_REGISTRY": "http://registry.test", "CMSREG_TOKEN": "cmsreg_x"},
    )
    return result, sent


def test_offline_problems_stop_before_any_request(tmp_path) -> None:
    files = pack_files() | {"cmspack.yaml": manifest_bytes(version="one")}
    done, sent = run_recording_requests("publish", str(write_folder(tmp_path / "p", files)))
    assert done.exit_code == exits.INVALID, done.output
    assert "version:" in done.output and "Nothing was uploaded" in done.output
    assert sent == []
    # The same pack, valid, is sent (and fails to connect: exit 3).
    valid = write_folder(tmp_path / "valid", pack_files())
    done, sent = run_recording_requests("publish", str(valid))
    assert done.exit_code == exits.REGISTRY and len(sent) == 1


def test_blocking_findings_stop_before_any_request(tmp_path) -> None:
    files = pack_files() | {"config/children.csv": NHS}
    done, sent = run_recording_requests("publish", str(write_folder(tmp_path / "p", files)))
    assert done.exit_code == exits.INVALID
    assert "nhs-number" in done.output and "943 476 5919" not in done.output
    assert sent == []


def test_init_placeholders_are_refused(cmsreg, people, tmp_path) -> None:
    files = pack_files(publisher="my-council")
    done = cmsreg("publish", str(write_folder(tmp_path / "p", files)), token=people["publisher"])
    assert done.exit_code == exits.INVALID
    assert "placeholder 'my-council'" in done.output


@pytest.mark.parametrize("dry_run", [False, True])
def test_missing_dependency_is_refused_by_the_registry(
    cmsreg, reg, people, tmp_path, dry_run
) -> None:
    before = held(reg)
    files = pack_files(depends={"essex/signs-of-safety-assessment": "^1.0"})
    args = ["publish", str(write_folder(tmp_path / "p", files))] + (
        ["--dry-run"] if dry_run else []
    )
    done = cmsreg(*args, token=people["publisher"])
    assert done.exit_code == exits.INVALID, done.output
    assert "depends.essex/signs-of-safety-assessment" in done.output
    assert "This registry has no pack essex/signs-of-safety-assessment" in done.output
    assert "Nothing was stored" in done.output
    assert held(reg) == before


def test_refused_upload_with_json_prints_the_registry_error(cmsreg, people, tmp_path) -> None:
    files = pack_files(depends={"essex/nothing": ">=1"})
    done = cmsreg(
        "publish", str(write_folder(tmp_path / "p", files)), "--json", token=people["publisher"]
    )
    assert done.exit_code == exits.INVALID
    body = json.loads(done.stdout)
    assert body["code"] == 422 and body["errors"]["problems"][0]["code"] == "unknown-dependency"


def test_sign_in_and_permission_errors_exit_4(cmsreg, accounts, people, pack) -> None:
    assert cmsreg("publish", str(pack)).exit_code == exits.AUTH  # no token at all
    bad = cmsreg("publish", str(pack), token="cmsreg_not-a-token")
    assert bad.exit_code == exits.AUTH
    kent = accounts.token("kent-admin", "kent", ("publish",))
    other = cmsreg("publish", str(pack), token=kent)
    assert other.exit_code == exits.AUTH and "not hertfordshire" in other.output
    moderator = cmsreg("publish", str(pack), "--dry-run", token=people["moderator"])
    assert moderator.exit_code == exits.AUTH


def test_pending_or_approved_version_exits_3_with_the_registry_message(
    cmsreg, people, pack, tmp_path
) -> None:
    assert cmsreg("publish", str(pack), token=people["publisher"]).exit_code == 0
    again = cmsreg("publish", str(pack), token=people["publisher"])
    assert again.exit_code == exits.REGISTRY
    assert "already waiting for review" in again.output
    forms = pack_files(name="family-safeguarding-forms", version="1.1.0", depends=...)
    approved = cmsreg(
        "publish", str(write_folder(tmp_path / "f", forms)), "--dry-run", token=people["publisher"]
    )
    assert approved.exit_code == exits.REGISTRY and "already approved" in approved.output


def test_the_upload_is_streamed_from_disk(people, tmp_path, app) -> None:
    # A pack of incompressible files, so the archive is as large as they are.
    size = 6 * 1024 * 1024
    files = pack_files() | {f"docs/scan-{i}.png": os.urandom(size // 3) for i in range(3)}
    archive = tmp_path / "pack.zip"
    archive.write_bytes(build_zip(files).data)
    del files
    seen: dict[str, int] = {"largest": 0, "peak": 0}

    class Measuring(httpx.WSGITransport):
        """Reads the body the client sends chunk by chunk, measuring, then hands it to the app."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            spooled = tmp_path / "body"
            tracemalloc.start()
            with spooled.open("wb") as out:
                for chunk in request.stream:
                    seen["largest"] = max(seen["largest"], len(chunk))
                    out.write(chunk)
            seen["peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=spooled.read_bytes()
            )
            return super().handle_request(forwarded)

    result = CliRunner().invoke(
        cli,
        ["publish", str(archive), "--json"],
        obj=Obj(transport=Measuring(app=app)),
        env={"CMSREG_REGISTRY": "http://registry.test", "CMSREG_TOKEN": people["publisher"]},
    )
    assert result.exit_code == 0, result.output
    assert archive.stat().st_size > size
    assert seen["largest"] <= 64 * 1024 + 1024  # httpx's chunks, never the whole file
    assert seen["peak"] < size // 8
