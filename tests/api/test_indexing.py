"""A decision answers without waiting for the search index; every read still finds it.

The approval (or yank) commits and queues the pack, wakes the process's indexer thread and
answers. A search, in any worker, first indexes what is still queued.
"""

from __future__ import annotations

import threading
from pathlib import Path

from registry import create_app
from registry.services import moderation, searchsync
from registry.services.accounts import Actor
from registry.services.context import Registry
from tests.api.conftest import found
from tests.api.test_search_lock import held_by_another_process
from tests.conftest import auth

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"
LONG_WAIT = 600  # seconds a writer would wait for the index lock: far past any test's patience


def test_an_approval_answers_while_another_process_writes_the_index(
    client, reg, waiting, instance: Path
) -> None:
    """Approving never waits for the index lock (it used to wait for it, up to the timeout)."""
    reg.settings["SEARCH_LOCK_TIMEOUT"] = LONG_WAIT
    answers = []
    with held_by_another_process(instance / "index.lock"):
        approving = threading.Thread(target=lambda: answers.append(waiting.approve(client)))
        approving.start()
        # The lock is held until this block ends: an approval that waited for it cannot answer.
        approving.join(60)
        assert not approving.is_alive(), "the approval waited for the search index's lock"
        assert answers[0].status_code == 200, answers[0].get_json()
        assert searchsync.queued(reg)  # no one could index it yet

    assert found(client) == ["family-safeguarding-cp-workflow"]
    assert not searchsync.queued(reg)


def test_a_search_in_another_worker_finds_an_approval_it_did_not_index(
    client, waiting, instance: Path, database_url: str
) -> None:
    """Worker A approves while the index is locked; worker B's first search after the lock is
    free finds the pack, whether A's indexer or B itself indexes it."""
    other = create_app(
        {
            "INSTANCE": str(instance),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": False,
        }
    )
    try:
        second = other.test_client()
        assert found(second) == []
        with held_by_another_process(instance / "index.lock"):
            r = waiting.approve(client)
            assert r.status_code == 200, r.get_json()
        assert found(second) == ["family-safeguarding-cp-workflow"]
        # A yank in B leaves search at once for A too.
        r = second.post(
            f"{PACK}/versions/1.2.0/yank",
            json={"reason": "Wrong threshold"},
            headers=auth(waiting.publisher),
        )
        assert r.status_code == 200, r.get_json()
        assert found(client) == []
    finally:
        other.extensions["cmsreg"].close()


def test_a_command_that_approves_leaves_the_index_up_to_date_when_it_closes(reg, waiting) -> None:
    """A command's registry closes its indexer after the last pass: nothing is left queued."""
    moderator = Actor("cli-moderator", frozenset({"moderate"}), suppliers=frozenset({"system-c"}))

    command = Registry.from_settings(
        {"INSTANCE": reg.settings["INSTANCE"], "DATABASE_URL": reg.settings["DATABASE_URL"]}
    )
    moderation.approve(command, moderator, waiting.id)
    command.close()

    assert not searchsync.queued(reg)
    indexed = set(reg.search.keys())
    assert ("hertfordshire", "family-safeguarding-cp-workflow", "1.2.0") in indexed
