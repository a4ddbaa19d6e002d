"""A worker process dies between the git write and the database commit of a submit or approval.

The server runs with CMSREG_CRASH_POINT set (registry/services/faults.py), so the worker ends with
os._exit at that line, as SIGKILL would end it: no rollback, no cleanup. Nothing may then be
visible half done, `check` must name the difference, and `check --repair` must mend it.
"""

from __future__ import annotations

import pytest

from registry.packs.build import build_zip
from tests.api.test_search_lock import held_by_another_process
from tests.system.conftest import (
    NO_ANSWER,
    PUBLISHER,
    approve,
    assert_downloads_match,
    sha256,
    small_pack,
    submit,
)

pytestmark = pytest.mark.slow
PACK = f"/api/v1/packs/{PUBLISHER}/cp-workflow"


def test_crash_after_the_submission_branch_leaves_nothing_visible(instance, tokens, server):
    server.start(CMSREG_CRASH_POINT="submit-before-commit")
    files = small_pack("cp-workflow")
    with server.client(tokens.publisher) as client:
        with pytest.raises(NO_ANSWER):
            submit(client, files)

        # The submission never happened, as far as anyone can see.
        assert client.get("/api/v1/submissions").json() == []
        assert client.get(PACK).status_code == 404
    assert instance.sql("SELECT id FROM submissions") == []
    (orphan,) = instance.refs("refs/submissions/")
    sid = orphan.rsplit("/", 1)[1]

    check = instance.check()
    assert check.returncode == 1
    assert f"ref refs/submissions/{sid} exists but the submission is not in the database" in (
        check.stdout
    )
    repair = instance.check("--repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert f"repaired: ref refs/submissions/{sid}" in repair.stdout
    assert instance.refs("refs/submissions/") == []
    assert instance.check().returncode == 0
    instance.fsck()


def test_crash_after_the_approval_tag_leaves_nothing_visible(instance, tokens, server):
    server.start(CMSREG_CRASH_POINT="approve-before-commit")
    files = small_pack("cp-workflow")
    with server.client(tokens.publisher) as client:
        r = submit(client, files)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
    with server.client(tokens.moderator) as client, pytest.raises(NO_ANSWER):
        approve(client, sid)

    # Git holds the tag, but the API serves versions from the database: no half-approved version.
    assert instance.refs(f"refs/tags/{PUBLISHER}/") == [f"refs/tags/{PUBLISHER}/cp-workflow/v1.0.0"]
    with server.client(tokens.publisher) as client:
        assert client.get(PACK).status_code == 404
        assert client.get(f"{PACK}/versions/1.0.0").status_code == 404
        assert client.get(f"{PACK}/versions/1.0.0/download").status_code == 404
        # Mid-approval, not pending: no one can withdraw (or reject) what may already be tagged.
        queue = client.get("/api/v1/submissions").json()
        assert [(s["id"], s["status"]) for s in queue] == [(sid, "approving")]
        detail = client.get(f"/api/v1/submissions/{sid}")
        assert detail.status_code == 200, detail.text
        assert detail.json()["status"] == "approving"
        withdraw = client.post(f"/api/v1/submissions/{sid}/withdraw", json={})
        assert withdraw.status_code == 409, withdraw.text
    with server.client(tokens.moderator) as client:
        reject = client.post(f"/api/v1/submissions/{sid}/reject", json={"reason": "Too late"})
        assert reject.status_code == 409, reject.text
    assert instance.sql("SELECT version FROM versions") == []

    check = instance.check()
    assert check.returncode == 1
    assert (
        f"version {PUBLISHER}/cp-workflow 1.0.0 is tagged in git but missing from the database"
        in check.stdout
    )
    repair = instance.check("--repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr
    instance.fsck()

    with server.client(tokens.publisher) as client:
        version = assert_downloads_match(client, "cp-workflow", "1.0.0")
        assert client.get(f"/api/v1/submissions/{sid}").json()["status"] == "approved"
    assert version["archive_sha256"]["zip"] == sha256(build_zip(files).data)
    assert {f["path"]: f["sha256"] for f in version["files"]} == {
        path: sha256(data) for path, data in files.items()
    }


@pytest.mark.parametrize("database_kind", ["sqlite"])  # only SQLite reuses a rolled-back id
def test_a_crashed_submit_does_not_block_the_next_one(instance, tokens, server):
    server.start(CMSREG_CRASH_POINT="submit-before-commit")
    with server.client(tokens.publisher) as client, pytest.raises(NO_ANSWER):
        submit(client, small_pack("cp-workflow"))
    assert len(instance.refs("refs/submissions/")) == 1  # the orphan

    # No one has run check --repair yet; on SQLite the next upload gets the same id.
    server.stop()
    server.start()
    with server.client(tokens.publisher) as client:
        r = submit(client, small_pack("another-pack"))
    assert r.status_code == 201, r.text
    assert instance.refs("refs/submissions/") == [f"refs/submissions/{r.json()['id']}"]
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr
    instance.fsck()


def test_a_server_killed_before_indexing_an_approval_leaves_it_for_the_next_search(
    instance, tokens, server
):
    """The approval answers before the index is written: a SIGKILL in between loses nothing."""
    server.start()
    with server.client(tokens.publisher) as client:
        r = submit(client, small_pack("cp-workflow"))
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
    # Another writer holds the index lock, so the worker's indexer cannot run before the kill.
    with held_by_another_process(instance.path / "index.lock"):
        with server.client(tokens.moderator) as client:
            assert approve(client, sid).status_code == 200
        server.kill()
    assert instance.sql("SELECT publisher, name FROM search_queue") == [(PUBLISHER, "cp-workflow")]

    server.start()
    with server.client() as client:
        found = client.get("/api/v1/search", params={"q": "strategy discussion"}).json()
    assert [(p["publisher"], p["name"]) for p in found["results"]] == [(PUBLISHER, "cp-workflow")]
    assert instance.sql("SELECT id FROM search_queue") == []
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr
