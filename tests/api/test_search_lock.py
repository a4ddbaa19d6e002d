"""A search index lock held by another process answers 503 with Retry-After, never a hung request."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry.services import searchsync
from tests.api.conftest import found

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"
# Another process (another gunicorn worker, a `reindex`) holding a lock until told to stop.
HOLDER = (
    "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
    "print('held', flush=True); sys.stdin.read()"
)


@pytest.fixture
def app(instance: Path, database_url: str):
    """The app on a fresh instance, waiting half a second for a search index lock."""
    from registry import create_app

    app = create_app(
        {
            "INSTANCE": str(instance),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": False,
            "SEARCH_LOCK_TIMEOUT": 0.5,
        }
    )
    reg = app.extensions["cmsreg"]
    reg.init()
    yield app
    reg.close()


@contextmanager
def held_by_another_process(path: Path) -> Iterator[None]:
    """Hold the file lock at path in another process for the duration of the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)


def indexer_gave_up(caplog) -> None:
    """Wait until this process's indexer thread has given up waiting for the lock: from then on
    only a search can index what is queued (and the test does not race the thread)."""
    deadline = time.monotonic() + 60
    while not any("stays queued for the next update" in m for m in caplog.messages):
        assert time.monotonic() < deadline, caplog.messages
        time.sleep(0.05)


def test_an_approval_while_the_index_is_locked_answers_200_then_is_indexed(
    client, waiting, instance: Path, caplog
) -> None:
    """The approval is saved before the index is written: it must say so, not 503."""
    caplog.set_level(logging.WARNING, logger=searchsync.__name__)
    with held_by_another_process(instance / "index.lock"):
        r = waiting.approve(client)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["status"] == "approved"
        assert client.get(f"{PACK}/versions/1.2.0").get_json()["approved_by"] == "lcs-moderator"
        # Search does not show it yet: the index update waits in the queue.
        assert found(client) == []
        indexer_gave_up(caplog)

    # Queued, so the first search after the lock is free indexes it before answering.
    assert found(client) == ["family-safeguarding-cp-workflow"]


def test_searches_while_the_lock_stays_held_wait_for_it_once_not_each(
    client, waiting, instance: Path, caplog
) -> None:
    """A reindex holds the lock for a while: the first search waits its bounded time, the next
    ones only briefly, and the first search after the lock is free indexes."""
    caplog.set_level(logging.WARNING, logger=searchsync.__name__)
    with held_by_another_process(instance / "index.lock"):
        assert waiting.approve(client).status_code == 200
        for _ in range(3):
            assert found(client) == []
        indexer_gave_up(caplog)
    waited = [m for m in caplog.messages if "answered from the index as it stands" in m]
    assert len(waited) == 1, caplog.messages

    assert found(client) == ["family-safeguarding-cp-workflow"]


def test_a_drain_while_the_index_is_locked_answers_503(reg, instance: Path) -> None:
    """The lock's own timeout still raises, for the callers that can report it (reindex)."""
    from registry.errors import Unavailable

    with held_by_another_process(instance / "index.lock"), pytest.raises(Unavailable) as caught:
        searchsync.drain(reg)
    assert "search index is busy" in caught.value.message


def test_a_search_on_an_index_being_created_elsewhere_answers_503(
    client, reg, instance: Path
) -> None:
    # No index yet: the first search creates one under the index's write lock.
    (instance / "index").mkdir()
    with held_by_another_process(instance / "index" / "write.lock"):
        r = client.get("/api/v1/search?q=review")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.get_json()["message"].startswith("The search index is busy")
    assert client.get("/api/v1/search?q=review").get_json()["total"] == 0
