"""`cmsreg review list|show|files|get|approve|reject` against the real app."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from cli import exits
from registry.db.models import Submission
from tests.api.test_submission_files import LETTER, SHEET, office_pack
from tests.conftest import auth, upload
from tests.packs.manifests import manifest_bytes, pack_files


@pytest.fixture
def people(accounts):
    return {
        "pub": accounts.token("herts-admin", "hertfordshire", ("publish",)),
        "mod": accounts.token("lcs-mod", "lcs-user-group", ("moderate",), moderates=("system-c",)),
        "mosaic": accounts.token(
            "mosaic-mod", "mosaic-user-group", ("moderate",), moderates=("access-group",)
        ),
        "other": accounts.token("essex-admin", "essex", ("publish",)),
        # A moderator of system-c whose own organisation is the publisher.
        "own": accounts.token(
            "herts-mod", "hertfordshire", ("publish", "moderate"), moderates=("system-c",)
        ),
    }


def submit(client, token, files):
    r = upload(client, token, files)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@pytest.fixture
def letter(client, people):
    """A pending submission with a Word letter holding an e-mail address (warning F1)."""
    return submit(client, people["pub"], office_pack())


def test_show_masks_findings_and_lists_warnings(cmsreg, people, letter):
    out = cmsreg("review", "show", str(letter), token=people["mod"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert f"Submission {letter}: hertfordshire/family-safeguarding-cp-workflow@1.2.0" in text
    assert "pending" in text and "Supplier system-c" in text
    assert "Family Safeguarding child protection workflow" in text
    assert "Licence: OGL-UK-3.0" in text and "Products: lcs >=2023.1" in text
    assert f"F1 warn  {LETTER}:2  email" in text
    assert "jo.bloggs@example.org" not in text and "@example.org" in text  # masked
    assert "To acknowledge before approving:" in text
    assert f"review approve {letter} --acknowledge F1" in text
    assert "No approved version before this one" in text and "+ README.md" in text
    data = json.loads(cmsreg("review", "show", str(letter), "--json", token=people["mod"]).output)
    assert data["id"] == letter and data["checks"]["findings"][0]["id"] == "F1"
    # The submitter may read it too; anyone else is told it does not exist.
    assert cmsreg("review", "show", str(letter), token=people["pub"]).exit_code == 0
    for who in ("other", "mosaic"):
        hidden = cmsreg("review", "show", str(letter), token=people[who])
        assert hidden.exit_code == exits.REGISTRY and f"No submission {letter}." in hidden.output
    assert cmsreg("review", "show", "9999", token=people["mod"]).exit_code == exits.REGISTRY
    assert cmsreg("review", "show", str(letter)).exit_code == exits.AUTH


def test_show_has_the_diff_and_the_supplier_change(cmsreg, client, people):
    first = submit(client, people["pub"], pack_files(depends=...))
    client.post(f"/api/v1/submissions/{first}/approve", json={}, headers=auth(people["mod"]))
    files = pack_files(depends=..., version="1.3.0")
    files["config/steps.xml"] = b"<steps><step code='CP2'>ICPC</step></steps>\n"
    second = submit(client, people["pub"], files)
    out = cmsreg("review", "show", str(second), token=people["mod"])
    assert "Diff against the approved 1.2.0:" in out.output
    assert "~ config/steps.xml" in out.output and "+<steps><step code='CP2'>" in out.output
    brief = cmsreg("review", "show", str(second), "--no-diff", token=people["mod"])
    assert "~ config/steps.xml" in brief.output and "+<steps>" not in brief.output
    moved = {**pack_files(depends=..., version="1.4.0")}
    moved["cmspack.yaml"] = manifest_bytes(
        depends=..., version="1.4.0", supplier="access-group", products=[{"id": "mosaic"}]
    )
    third = submit(client, people["pub"], moved)
    shown = cmsreg("review", "show", str(third), token=people["mosaic"])
    assert shown.exit_code == 0, shown.output
    assert "supplier-change: The supplier changes from system-c to access-group" in shown.output


def test_list_is_oldest_first_with_age_and_filters(cmsreg, client, reg, people):
    old = submit(client, people["pub"], pack_files(depends=...))
    new = submit(client, people["other"], pack_files(depends=..., publisher="essex"))
    own = submit(client, people["own"], pack_files(depends=..., version="2.0.0"))
    mosaic = submit(
        client,
        people["pub"],
        {
            **pack_files(),
            "cmspack.yaml": manifest_bytes(
                depends=...,
                name="mosaic-pack",
                supplier="access-group",
                products=[{"id": "mosaic"}],
            ),
        },
    )
    with reg.db.session() as session:
        session.execute(
            update(Submission)
            .where(Submission.id == old)
            .values(submitted_at=datetime.now(UTC) - timedelta(days=3, hours=4, minutes=1))
        )
    out = cmsreg("review", "list", token=people["mod"])
    assert out.exit_code == 0, out.output
    assert "3d 4h" in out.output and "oldest first" in out.output
    data = json.loads(cmsreg("review", "list", "--json", token=people["mod"]).output)
    assert [s["id"] for s in data] == [old, new, own]  # system-c only; oldest first
    assert mosaic not in [s["id"] for s in data]
    group = json.loads(
        cmsreg(
            "review", "list", "--supplier", "access-group", "--json", token=people["mosaic"]
        ).output
    )
    assert [s["id"] for s in group] == [mosaic]
    none = cmsreg("review", "list", "--supplier", "access-group", token=people["mod"])
    assert none.exit_code == 0 and "No pending submissions for access-group" in none.output
    client.post(
        f"/api/v1/submissions/{new}/reject", json={"reason": "No"}, headers=auth(people["mod"])
    )
    rejected = json.loads(
        cmsreg("review", "list", "--status", "rejected", "--json", token=people["mod"]).output
    )
    assert [s["id"] for s in rejected] == [new]
    publisher = cmsreg("review", "list", token=people["pub"])
    assert publisher.exit_code == exits.AUTH and "moderate" in publisher.output
    assert cmsreg("review", "list").exit_code == exits.AUTH
    assert cmsreg("review", "list", "--status", "odd", token=people["mod"]).exit_code == exits.USAGE


def test_files_and_get_with_docx_and_xlsx(cmsreg, people, letter, tmp_path, monkeypatch):
    files = office_pack()
    listed = cmsreg("review", "files", str(letter), token=people["mod"])
    assert listed.exit_code == 0, listed.output
    assert "word" in listed.output and "excel" in listed.output
    data = json.loads(cmsreg("review", "files", str(letter), "--json", token=people["mod"]).output)
    assert {f["path"] for f in data} == set(files)

    target = tmp_path / "review"
    got = cmsreg("review", "get", str(letter), "-o", str(target), token=people["mod"])
    assert got.exit_code == 0, got.output
    assert f"Wrote {len(files)} files" in got.output
    for path, content in files.items():
        assert (target / path).read_bytes() == content
    assert hashlib.sha256((target / LETTER).read_bytes()).hexdigest() == next(
        f["sha256"] for f in data if f["path"] == LETTER
    )

    (target / SHEET).write_bytes(b"changed locally")
    again = cmsreg("review", "get", str(letter), "-o", str(target), token=people["mod"])
    assert again.exit_code == exits.USAGE and "--force" in again.output
    assert (target / SHEET).read_bytes() == b"changed locally"
    forced = cmsreg(
        "review", "get", str(letter), "-o", str(target), "--force", "--json", token=people["mod"]
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["directory"] == str(target)
    assert (target / SHEET).read_bytes() == files[SHEET]

    # A link planted in the folder is not followed out of it.
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = tmp_path / "planted"
    planted.mkdir()
    os.symlink(outside, planted / "docs")
    refused = cmsreg(
        "review", "get", str(letter), "-o", str(planted), "--force", token=people["mod"]
    )
    assert refused.exit_code != 0 and "outside" in refused.output
    assert list(outside.iterdir()) == []

    # The default folder is submission-ID, here.
    monkeypatch.chdir(tmp_path)
    with_default = cmsreg("review", "get", str(letter), token=people["pub"], env={})
    assert with_default.exit_code == 0, with_default.output
    assert f"submission-{letter}" in with_default.output
    assert (tmp_path / f"submission-{letter}" / LETTER).read_bytes() == files[LETTER]

    hidden = cmsreg("review", "files", str(letter), token=people["other"])
    assert hidden.exit_code == exits.REGISTRY and f"No submission {letter}." in hidden.output
    hidden = cmsreg("review", "get", str(letter), "-o", str(tmp_path / "x"), token=people["mosaic"])
    assert hidden.exit_code == exits.REGISTRY and not (tmp_path / "x").exists()


def test_approve_needs_every_warning_acknowledged(cmsreg, client, people, letter):
    refused = cmsreg("review", "approve", str(letter), token=people["mod"])
    assert refused.exit_code == exits.INVALID, refused.output
    assert "F1" in refused.output and f"cmsreg review show {letter}" in refused.output
    assert f"cmsreg review approve {letter} --acknowledge F1 " in refused.output
    both = cmsreg(
        "review", "approve", str(letter), "-a", "F1", "--acknowledge-all", token=people["mod"]
    )
    assert both.exit_code == exits.USAGE
    own = cmsreg("review", "approve", str(letter), "--acknowledge-all", token=people["own"])
    assert own.exit_code == exits.AUTH and "own organisation" in own.output
    other = cmsreg("review", "approve", str(letter), "--acknowledge", "F1", token=people["mosaic"])
    assert other.exit_code == exits.REGISTRY and f"No submission {letter}." in other.output
    done = cmsreg(
        "review",
        "approve",
        str(letter),
        "--acknowledge",
        "F1",
        "--note",
        "Team mailbox",
        token=people["mod"],
    )
    assert done.exit_code == 0, done.output
    assert "Approved hertfordshire/family-safeguarding-cp-workflow@1.2.0" in done.output
    assert "acknowledged F1" in done.output
    again = cmsreg("review", "approve", str(letter), "--acknowledge-all", token=people["mod"])
    assert again.exit_code == exits.REGISTRY, again.output  # 409: no longer pending
    version = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0"
    ).get_json()
    assert version["approved_by"] == "lcs-mod"


def test_approve_all_and_without_warnings(cmsreg, client, people, letter):
    out = cmsreg(
        "review", "approve", str(letter), "--acknowledge-all", "--json", token=people["mod"]
    )
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["status"] == "approved" and body["reviews"][0]["acknowledged"] == ["F1"]
    clean = submit(client, people["pub"], pack_files(version="1.3.0", depends=...))
    plain = cmsreg("review", "approve", str(clean), token=people["mod"])
    assert plain.exit_code == 0, plain.output
    assert cmsreg("review", "approve", "9999", token=people["mod"]).exit_code == exits.REGISTRY
    assert cmsreg("review", "approve", str(clean)).exit_code == exits.AUTH


def test_reject_requires_a_reason(cmsreg, client, people, letter):
    missing = cmsreg("review", "reject", str(letter), token=people["mod"])
    assert missing.exit_code == exits.USAGE and "--reason" in missing.output
    blank = cmsreg("review", "reject", str(letter), "--reason", " ", token=people["mod"])
    assert blank.exit_code == exits.INVALID
    publisher = cmsreg("review", "reject", str(letter), "--reason", "x", token=people["pub"])
    assert publisher.exit_code == exits.AUTH
    done = cmsreg(
        "review", "reject", str(letter), "--reason", "Use the team mailbox", token=people["mod"]
    )
    assert done.exit_code == 0, done.output
    assert "Rejected hertfordshire/family-safeguarding-cp-workflow@1.2.0" in done.output
    again = cmsreg("review", "reject", str(letter), "--reason", "x", "--json", token=people["mod"])
    assert again.exit_code == exits.REGISTRY
    gone = cmsreg("review", "files", str(letter), token=people["pub"])
    assert gone.exit_code == exits.REGISTRY and "removed" in gone.output
    mine = json.loads(cmsreg("submissions", "--json", token=people["pub"]).output)
    assert mine[0]["reason"] == "Use the team mailbox"


def test_a_submission_is_named_by_its_pack_and_version(cmsreg, client, people, letter):
    """PUBLISHER/NAME@VERSION stands for the ID: the pending submission of that version."""
    ref = "hertfordshire/family-safeguarding-cp-workflow@1.2.0"
    shown = cmsreg("review", "show", ref, "--json", token=people["mod"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == letter
    # Another moderator cannot see it, so cannot name it either.
    hidden = cmsreg("review", "show", ref, token=people["mosaic"])
    assert hidden.exit_code == exits.REGISTRY and "No submission of" in hidden.output
    bad = cmsreg(
        "review", "show", "hertfordshire/family-safeguarding-cp-workflow", token=people["mod"]
    )
    assert bad.exit_code == exits.USAGE and "PUBLISHER/NAME@VERSION" in bad.output
    done = cmsreg("review", "approve", ref, "--acknowledge-all", token=people["mod"])
    assert done.exit_code == 0, done.output
    assert f"(submission {letter})" in done.output
    # Approved, it is still the one named (nothing pending): a second approval is a conflict.
    again = cmsreg("review", "approve", ref, token=people["mod"])
    assert again.exit_code == exits.REGISTRY


def test_withdraw_by_pack_and_version(cmsreg, client, people):
    sid = submit(client, people["pub"], pack_files(version="2.0.0", depends=...))
    out = cmsreg(
        "withdraw", "hertfordshire/family-safeguarding-cp-workflow@2.0.0", token=people["pub"]
    )
    assert out.exit_code == 0, out.output
    assert f"submission {sid}" in out.output


def test_get_into_a_file_is_a_usage_error(cmsreg, people, letter, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    out = cmsreg("review", "get", str(letter), "-o", str(target), token=people["mod"])
    assert out.exit_code == exits.USAGE and "is a file" in out.output
    assert target.read_text() == "mine"
