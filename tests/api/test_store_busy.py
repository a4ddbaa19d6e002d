"""A content store whose lock another process holds answers 503 with Retry-After, then recovers.

The holder is a real second process (as another gunicorn worker would be), holding the store's
write lock with filelock; the approval waits its timeout, changes nothing, and says so.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

HOLD = """
import sys
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@contextmanager
def held_by_another_process(lock_path: Path) -> Iterator[None]:
    """Hold lock_path (filelock) in a child process for the block."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def test_a_held_store_lock_answers_503_with_retry_after_then_approves(app, client, accounts):
    reg = app.extensions["cmsreg"]
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    r = upload(client, pub, pack_files(depends=...))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    approve = f"/api/v1/submissions/{sid}/approve"
    reg.store.repo.lock_timeout = 0.3  # a short wait, so the test does not take 30 seconds

    with held_by_another_process(reg.store.repo.lock_path):
        r = client.post(approve, json={"note": "ok"}, headers=auth(mod))
        assert r.status_code == 503, r.get_json()
        body = r.get_json()
        assert body["code"] == 503 and body["status"] == "Service Unavailable"
        assert "busy" in body["message"] and "try again" in body["message"].lower()
        assert int(r.headers["Retry-After"]) > 0
        # Nothing changed: the submission is still waiting, and git holds no tag for it.
        assert (
            client.get(f"/api/v1/submissions/{sid}", headers=auth(pub)).get_json()["status"]
            == "pending"
        )
        assert reg.store.all_tags() == []

    r = client.post(approve, json={"note": "ok"}, headers=auth(mod))
    assert r.status_code == 200, r.get_json()
