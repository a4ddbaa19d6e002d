"""Crash repair follows the database's final decision: it never publishes what was refused.

A crash is simulated in-process by raising, at a named point of the approval (the services'
test hook), an exception that nothing in the registry catches: the worker's request ends there
with nothing unwound, as a kill -9 would end it (the flock it held is released by the kernel
either way). tests/system/test_crash.py does the same with a real SIGKILL'd server.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select, text

from registry.db.models import AuditEvent, Submission
from registry.services import faults
from registry.services.reconcile import check
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

PUBLISHER, NAME = "hertfordshire", "family-safeguarding-cp-workflow"
PACK = f"/api/v1/packs/{PUBLISHER}/{NAME}"
MARKER = b"Only in the refused version: strategy discussion within 24 hours.\n"


class Crash(BaseException):
    """The worker died here."""


def crash() -> None:
    raise Crash


@pytest.fixture
def people(accounts):
    return {
        "publisher": accounts.token("herts-publisher", PUBLISHER),
        "moderator": accounts.token("alex", "lcs-ug", ("moderate",), moderates=("system-c",)),
    }


def submit(client, token: str, version: str, extra: bytes = b"") -> int:
    files = pack_files(depends=..., version=version)
    if extra:
        files["config/extra.txt"] = extra
    r = upload(client, token, files)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def approve(client, token: str, sid: int):
    return client.post(f"/api/v1/submissions/{sid}/approve", json={}, headers=auth(token))


def crash_during_approval(client, people, sid: int, point: str) -> None:
    with faults.between(point, crash), pytest.raises(Crash):
        approve(client, people["moderator"], sid)


def status(client, people, sid: int) -> str:
    r = client.get(f"/api/v1/submissions/{sid}", headers=auth(people["publisher"]))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["status"]


def set_status(reg, sid: int, value: str) -> None:
    """What a reject racing an approval left before decisions were conditional."""
    claim = None if value in ("rejected", "withdrawn") else f"{PUBLISHER}/{NAME}@x{sid}"
    with reg.db.session() as session:
        session.execute(
            text("UPDATE submissions SET status = :s, claim = :c WHERE id = :id"),
            {"s": value, "c": claim, "id": sid},
        )


def git_has(reg, data: bytes) -> bool:
    """True when the content repository holds a blob with exactly these bytes."""
    oid = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    ).stdout.strip()
    return (
        subprocess.run(
            ["git", "--git-dir", reg.settings["STORE_PATH"], "cat-file", "-e", oid],
            capture_output=True,
        ).returncode
        == 0
    )


def test_a_crash_after_the_tag_reads_approving_and_repair_finishes_the_approval(
    client, reg, people
):
    sid = submit(client, people["publisher"], "1.2.0")
    crash_during_approval(client, people, sid, "approve-after-tag")

    # Mid-approval, not pending: no one can reject or withdraw what may already be tagged.
    assert status(client, people, sid) == "approving"
    assert client.get(PACK).status_code == 404
    for verb, token, body in (
        ("reject", people["moderator"], {"reason": "Changed my mind"}),
        ("withdraw", people["publisher"], {}),
        ("approve", people["moderator"], {}),
    ):
        r = client.post(f"/api/v1/submissions/{sid}/{verb}", json=body, headers=auth(token))
        assert r.status_code == 409, (verb, r.get_json())

    found = check(reg)
    assert any(
        f"approval of submission {sid} stopped before it was recorded" in line for line in found
    ), found
    check(reg, repair=True)
    assert check(reg) == []
    assert status(client, people, sid) == "approved"
    version = client.get(f"{PACK}/versions/1.2.0").get_json()
    assert version["approved_by"] == "alex"
    assert (PUBLISHER, NAME, "1.2.0") in set(reg.search.keys())


def test_a_crash_before_git_goes_back_to_review(client, reg, people):
    sid = submit(client, people["publisher"], "1.2.0")
    crash_during_approval(client, people, sid, "approve-after-claim")
    assert status(client, people, sid) == "approving"
    r = client.post(
        f"/api/v1/submissions/{sid}/reject", json={"reason": "x"}, headers=auth(people["moderator"])
    )
    assert r.status_code == 409

    found = check(reg)
    assert any(f"submission {sid} reads approving but git has no tag" in f for f in found), found
    check(reg, repair=True)
    assert check(reg) == []
    assert status(client, people, sid) == "pending"
    assert reg.store.all_tags() == []
    r = client.post(
        f"/api/v1/submissions/{sid}/reject",
        json={"reason": "Steps are missing"},
        headers=auth(people["moderator"]),
    )
    assert r.status_code == 200


@pytest.mark.parametrize("decision", ["rejected", "withdrawn"])
def test_repair_deletes_a_tag_whose_submission_was_refused_and_gc_prunes_it(
    client, reg, people, decision
):
    first = submit(client, people["publisher"], "1.0.0")
    assert approve(client, people["moderator"], first).status_code == 200
    sid = submit(client, people["publisher"], "1.1.0", extra=MARKER)
    crash_during_approval(client, people, sid, "approve-after-tag")
    set_status(reg, sid, decision)  # as a reject racing the approval once left it

    found = check(reg)
    assert any(
        f"version {PUBLISHER}/{NAME} 1.1.0 is tagged in git but submission {sid} is {decision}"
        in line
        for line in found
    ), found
    check(reg, repair=True)
    assert check(reg) == []

    # Never public: not as a version, not as latest, not in search, not on main, not in git.
    assert [t.version for t in reg.store.all_tags()] == ["1.0.0"]
    assert client.get(f"{PACK}/versions/1.1.0").status_code == 404
    assert client.get(PACK).get_json()["latest"] == "1.0.0"
    assert (PUBLISHER, NAME, "1.1.0") not in set(reg.search.keys())
    main_files = reg.store.repo.git("ls-tree", "-r", "--name-only", "main").decode()
    assert "extra.txt" not in main_files
    with reg.db.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "tag-removed" in actions
    reg.store.gc()
    assert not git_has(reg, MARKER)


def test_a_tag_of_a_still_pending_submission_is_removed_and_review_goes_on(client, reg, people):
    sid = submit(client, people["publisher"], "1.2.0", extra=MARKER)
    crash_during_approval(client, people, sid, "approve-after-tag")
    # An approval by an earlier release that died before the database: the row reads pending.
    with reg.db.session() as session:
        session.execute(
            text("UPDATE submissions SET status = 'pending' WHERE id = :id"), {"id": sid}
        )
    found = check(reg)
    assert any(f"submission {sid} is pending" in f for f in found), found
    check(reg, repair=True)
    assert check(reg) == []
    assert reg.store.all_tags() == []
    assert client.get(PACK).status_code == 404
    assert status(client, people, sid) == "pending"
    files = reg.store.submission_files(sid, PUBLISHER, NAME)
    assert files["config/extra.txt"] == MARKER  # the moderator can still read it
    assert approve(client, people["moderator"], sid).status_code == 200
    assert check(reg) == []


def test_check_never_settles_an_approval_under_way(client, reg, people):
    """check --repair waits for the approval it would otherwise take for a dead one."""
    sid = submit(client, people["publisher"], "1.2.0")
    seen = []
    with faults.between("approve-after-tag", lambda: seen.append(_check_in_thread(reg))):
        assert approve(client, people["moderator"], sid).status_code == 200
    # The repair started mid-approval could only run once the approval had finished.
    (repair,) = seen
    # It found the approval complete: nothing to settle (at most the search queue to drain).
    assert [line for line in repair.wait() if not line.startswith("search:")] == []
    with reg.db.session() as session:
        assert session.get(Submission, sid).status == "approved"


class _Repair:
    def __init__(self, reg):
        import threading

        self.result: list = []
        self.thread = threading.Thread(target=lambda: self.result.append(check(reg, True)))
        self.thread.start()

    def wait(self) -> list[str]:
        self.thread.join(timeout=120)
        return self.result[0]


def _check_in_thread(reg) -> _Repair:
    return _Repair(reg)
