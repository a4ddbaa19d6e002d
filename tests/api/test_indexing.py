"""A decision answers without waiting for the search index; every read still finds it.

The approval (or yank) commits and queues the pack, wakes the process's indexer thread and
answers. A search, in any worker, first indexes what is still queued.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path

from sqlalchemy import select

from registry import create_app
from registry.db.models import SearchQueue
from registry.services import moderation, searchsync
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.reconcile import check
from tests.api.conftest import SEARCH, found
from tests.api.test_search_lock import held_by_another_process
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

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


def test_a_pack_that_cannot_be_indexed_holds_up_neither_search_nor_other_packs(
    client, reg, waiting, caplog
) -> None:
    """A pack whose git content is damaged stays queued (check names it); searches answer from
    the index as it stands instead of failing, and other packs' approvals are still indexed."""
    assert waiting.approve(client).status_code == 200
    assert found(client) == ["family-safeguarding-cp-workflow"]
    # Damage `check` would report: the version's tag is gone; then a change queues the pack.
    tag = "refs/tags/hertfordshire/family-safeguarding-cp-workflow/v1.2.0"
    subprocess.run(
        ["git", "--git-dir", reg.settings["STORE_PATH"], "update-ref", "-d", tag], check=True
    )
    with reg.db.session() as session:
        searchsync.enqueue(session, "hertfordshire", "family-safeguarding-cp-workflow")
    # A worker started after the damage (no git reads cached), where another pack is approved.
    fresh = create_app(dict(reg.settings) | {"TESTING": True, "RATE_LIMITS": False})
    try:
        worker = fresh.test_client()
        forms = pack_files(name="family-safeguarding-forms", version="1.1.0", depends=...)
        r = upload(worker, waiting.publisher, forms)
        assert r.status_code == 201, r.get_json()
        with caplog.at_level(logging.ERROR, logger=searchsync.__name__):
            r = worker.post(
                f"/api/v1/submissions/{r.get_json()['id']}/approve",
                json={},
                headers=auth(waiting.moderator),
            )
            assert r.status_code == 200, r.get_json()
            r = worker.get(SEARCH)
        assert r.status_code == 200, r.get_json()
        assert sorted(p["name"] for p in r.get_json()["results"]) == [
            "family-safeguarding-cp-workflow",  # as indexed before the damage
            "family-safeguarding-forms",
        ]
        assert any(
            "cannot index hertfordshire/family-safeguarding-cp-workflow" in m
            for m in caplog.messages
        ), caplog.messages
        with reg.db.session() as session:
            left = session.execute(select(SearchQueue.publisher, SearchQueue.name)).all()
        assert left == [("hertfordshire", "family-safeguarding-cp-workflow")]
        assert "search: changes are queued but not yet indexed" in check(fresh.extensions["cmsreg"])
    finally:
        fresh.extensions["cmsreg"].close()
