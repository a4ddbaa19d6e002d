"""`cmsreg yank`, `unyank`, `withdraw` and `submissions` against the real app."""

from __future__ import annotations

import json

import pytest

from cli import exits
from tests.conftest import auth, upload
from tests.packs.manifests import manifest_bytes, pack_files

PACK = "hertfordshire/family-safeguarding-cp-workflow"
REF = f"{PACK}@1.2.0"


@pytest.fixture
def people(accounts):
    return {
        "pub": accounts.token("herts-admin", "hertfordshire", ("publish",)),
        "mod": accounts.token("lcs-mod", "lcs-user-group", ("moderate",), moderates=("system-c",)),
        "other": accounts.token("essex-admin", "essex", ("publish",)),
    }


@pytest.fixture
def approved(client, people):
    """hertfordshire/family-safeguarding-cp-workflow 1.2.0, approved."""
    r = upload(client, people["pub"], pack_files(depends=...))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    r = client.post(f"/api/v1/submissions/{sid}/approve", json={}, headers=auth(people["mod"]))
    assert r.status_code == 200, r.get_json()
    return sid


def pending(client, token, version="1.3.0"):
    r = upload(client, token, pack_files(version=version, depends=...))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def version(client):
    return client.get(f"/api/v1/packs/{PACK}/versions/1.2.0").get_json()


def test_yank_with_yes_then_unyank(cmsreg, client, people, approved):
    done = cmsreg(
        "yank", REF, "--reason", "Wrong step codes for LCS 2024", "--yes", token=people["pub"]
    )
    assert done.exit_code == 0, done.output
    assert "Yanked hertfordshire/family-safeguarding-cp-workflow 1.2.0" in done.output
    assert "Wrong step codes" in done.output
    assert version(client)["yanked"] is True
    again = cmsreg("yank", REF, "--reason", "again", "--yes", token=people["pub"])
    assert again.exit_code == exits.REGISTRY and "already yanked" in again.output
    back = cmsreg("unyank", REF, "--yes", "--json", token=people["mod"])
    assert back.exit_code == 0, back.output
    assert json.loads(back.output)["yanked"] is False
    assert version(client)["yanked"] is False
    twice = cmsreg("unyank", REF, "--yes", token=people["pub"])
    assert twice.exit_code == exits.REGISTRY and "is not yanked" in twice.output


def test_yank_without_yes_and_no_terminal_is_refused(cmsreg, client, people, approved):
    for command in (("yank", REF, "--reason", "Wrong codes"), ("unyank", REF)):
        out = cmsreg(*command, token=people["pub"])
        assert out.exit_code == exits.USAGE, out.output
        assert "add --yes" in out.output
    assert version(client)["yanked"] is False


def test_yank_asks_at_a_terminal(cmsreg, client, people, approved, monkeypatch):
    monkeypatch.setattr("cli.submissions.interactive", lambda: True)
    no = cmsreg("yank", REF, "--reason", "Wrong codes", token=people["pub"], input="n\n")
    assert no.exit_code == exits.INVALID and "Yank hertfordshire" in no.output
    assert "Nothing was changed" in no.output and version(client)["yanked"] is False
    yes = cmsreg("yank", REF, "--reason", "Wrong codes", "--json", token=people["pub"], input="y\n")
    assert yes.exit_code == 0, yes.output
    assert version(client)["yank_reason"] == "Wrong codes"
    asked = cmsreg("unyank", REF, token=people["pub"], input="y\n")
    assert asked.exit_code == 0 and "Unyanked" in asked.output


def test_yank_errors(cmsreg, client, people, approved):
    other = cmsreg("yank", REF, "--reason", "x", "--yes", token=people["other"])
    assert other.exit_code == exits.AUTH and "Only hertfordshire's publishers" in other.output
    anonymous = cmsreg("yank", REF, "--reason", "x", "--yes")
    assert anonymous.exit_code == exits.AUTH and "cmsreg login" in anonymous.output
    unknown = cmsreg("yank", f"{PACK}@9.9.9", "--reason", "x", "--yes", token=people["pub"])
    assert unknown.exit_code == exits.REGISTRY
    blank = cmsreg("yank", REF, "--reason", "  ", "--yes", token=people["pub"])
    assert blank.exit_code == exits.INVALID and "reason" in blank.output
    for bad in ("hertfordshire/pack", "pack@1.0.0", f"{PACK}@latest"):
        out = cmsreg("yank", bad, "--reason", "x", "--yes", token=people["pub"])
        assert out.exit_code == exits.USAGE, bad
    missing = cmsreg("yank", REF, "--yes", token=people["pub"])
    assert missing.exit_code == exits.USAGE and "--reason" in missing.output
    assert version(client)["yanked"] is False


def test_withdraw(cmsreg, client, people):
    sid = pending(client, people["pub"])
    other = cmsreg("withdraw", str(sid), token=people["other"])
    assert other.exit_code == exits.REGISTRY and f"No submission {sid}." in other.output
    done = cmsreg("withdraw", str(sid), "--note", "Sent too early", token=people["pub"])
    assert done.exit_code == 0, done.output
    assert f"Withdrew submission {sid}" in done.output
    again = cmsreg("withdraw", str(sid), "--json", token=people["pub"])
    assert again.exit_code == exits.REGISTRY and "withdrawn" in again.output
    assert cmsreg("withdraw", "999", token=people["pub"]).exit_code == exits.REGISTRY
    assert cmsreg("withdraw", str(sid)).exit_code == exits.AUTH
    assert cmsreg("withdraw", "x", token=people["pub"]).exit_code == exits.USAGE
    sid2 = pending(client, people["pub"], "1.4.0")
    out = cmsreg("withdraw", str(sid2), "--json", token=people["pub"])
    assert out.exit_code == 0 and json.loads(out.output)["status"] == "withdrawn"


def test_submissions_lists_mine_with_status_and_reason(cmsreg, client, people, approved):
    rejected = pending(client, people["pub"], "1.3.0")
    r = client.post(
        f"/api/v1/submissions/{rejected}/reject",
        json={"reason": "Remove the test NHS numbers"},
        headers=auth(people["mod"]),
    )
    assert r.status_code == 200
    waiting = pending(client, people["pub"], "1.4.0")
    essex = upload(
        client,
        people["other"],
        {**pack_files(), "cmspack.yaml": manifest_bytes(publisher="essex", depends=...)},
    )
    assert essex.status_code == 201, essex.get_json()

    out = cmsreg("submissions", token=people["pub"])
    assert out.exit_code == 0, out.output
    assert "Remove the test NHS" in out.output and "rejected" in out.output
    assert "pending" in out.output and "approved" in out.output
    assert "essex" not in out.output

    data = json.loads(cmsreg("submissions", "--json", token=people["pub"]).output)
    assert [s["id"] for s in data] == [waiting, rejected, approved]  # newest first
    assert data[1]["reason"] == "Remove the test NHS numbers"
    only = json.loads(
        cmsreg("submissions", "--status", "pending", "--json", token=people["pub"]).output
    )
    assert [s["id"] for s in only] == [waiting]
    none = cmsreg("submissions", "--status", "withdrawn", token=people["pub"])
    assert none.exit_code == 0 and "No withdrawn submissions of hertfordshire" in none.output
    assert cmsreg("submissions").exit_code == exits.AUTH
    assert cmsreg("submissions", token="cmsreg_" + "A" * 43).exit_code == exits.AUTH
