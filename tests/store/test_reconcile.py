"""What a crash can leave, and how reconcile() finds it and repair() mends it from the tags.

Each test puts the refs in the state a crash at one step of an approval would leave (see the
table in registry/store/content.py), using git directly, as the crashed process would have.
"""

from __future__ import annotations

import os
import time

import pytest

from registry.store import Conflict, ContentStore
from registry.store import trees as tree_ops

from .helpers import approve, git, pack, ref_exists


def _crash_after_tag(store: ContentStore, sid: int, version: str) -> tuple[str, str]:
    """Approve, then put main and the branch back: the state after step 4 of an approval."""
    main = store.head()
    sub = store.submit(sid, "essex", "roles", pack(version))
    done = store.approve(sid, "essex", "roles", version, approver="m")
    if main:
        git(store, "update-ref", "refs/heads/main", main, done.commit)
    else:
        git(store, "update-ref", "-d", "refs/heads/main", done.commit)
    git(store, "update-ref", sub.branch, sub.commit, "0" * 40)
    return done.commit, sub.branch


def test_a_clean_store_needs_nothing(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    store.submit(2, "essex", "roles", pack("1.1.0"))
    report = store.reconcile()
    assert report.ok and report.to_dict()["ok"]
    assert store.repair() == []


def test_objects_without_refs_are_invisible(store: ContentStore) -> None:
    # A crash before the ref transaction leaves only unreachable objects.
    approve(store, 1, "essex", "roles", "1.0.0")
    tree_ops.write_folder(store.repo.db, tree_ops.check_files(pack("9.9.9")))
    assert store.reconcile().ok
    assert store.versions("essex", "roles") == ["1.0.0"]


def test_crash_after_the_tag_is_repaired_by_a_fast_forward(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    tagged, branch = _crash_after_tag(store, 2, "1.1.0")
    report = store.reconcile()
    assert [(d.name, d.version) for d in report.main_drift] == [("roles", "1.1.0")]
    assert [s.submission_id for s in report.finished_submissions] == ["2"]
    done = store.repair()
    assert len(done) == 2
    assert store.head() == tagged  # main now contains the tag, as if nothing had happened
    assert not ref_exists(store, branch)
    assert store.reconcile().ok


def test_the_first_approval_interrupted_is_repaired_too(store: ContentStore) -> None:
    tagged, _ = _crash_after_tag(store, 1, "1.0.0")
    assert store.head() is None
    store.repair()
    assert store.head() == tagged


def test_approving_again_finishes_an_interrupted_approval(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    tagged, branch = _crash_after_tag(store, 2, "1.1.0")
    again = store.approve(2, "essex", "roles", "1.1.0", approver="m")
    assert again.commit == tagged and again.on_main
    assert store.head() == tagged
    assert not ref_exists(store, branch)
    assert store.reconcile().ok


def test_crash_before_the_branch_is_deleted(store: ContentStore) -> None:
    sub = store.submit(1, "essex", "roles", pack())
    store.approve(1, "essex", "roles", "1.0.0", approver="m")
    git(store, "update-ref", sub.branch, sub.commit, "0" * 40)
    report = store.reconcile()
    assert not report.main_drift
    assert [s.submission_id for s in report.finished_submissions] == ["1"]
    store.repair()
    assert store.submissions() == []


def test_content_on_main_without_a_tag_is_taken_off_main(store: ContentStore) -> None:
    first = approve(store, 1, "essex", "roles", "1.0.0")
    # As if main had been moved to a submission that was never tagged.
    sub = store.submit(2, "essex", "roles", pack("1.1.0"))
    git(store, "update-ref", "refs/heads/main", sub.commit, first.commit)
    stray = store.submit(3, "kent", "forms", pack("0.1.0"))  # built on the stray main
    git(store, "update-ref", "refs/heads/main", stray.commit, sub.commit)
    drift = {(d.publisher, d.name): d for d in store.reconcile().main_drift}
    assert drift[("essex", "roles")].version == "1.0.0"
    assert drift[("kent", "forms")].version is None
    store.repair()
    assert git(store, "rev-parse", "main:packs/essex/roles").strip() == first.tree
    assert "kent" not in git(store, "ls-tree", "--name-only", "main:packs").split()
    assert store.reconcile().ok


def test_a_ref_lock_left_by_a_killed_writer_does_not_block_the_next_write(
    store: ContentStore,
) -> None:
    """kill -9 during `git update-ref` leaves its lock file; every ref writer holds the store's
    write lock, so the next one (an approval, or check --repair) removes it and goes on."""
    approve(store, 1, "essex", "roles", "1.0.0")
    lock = store.repo.path / "refs" / "heads" / "main.lock"
    lock.write_text(store.head() or "")
    assert store.reconcile().stale_locks == []  # too young to report: it may be a live git
    store.submit(2, "essex", "roles", pack("1.1.0"))
    assert store.approve(2, "essex", "roles", "1.1.0", approver="m").on_main
    assert not lock.exists()


def test_an_old_ref_lock_is_reported_and_repaired(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    lock = store.repo.path / "refs" / "heads" / "main.lock"
    lock.write_text(store.head() or "")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    assert store.reconcile().stale_locks == [str(lock)]
    store.repair()
    assert not lock.exists()
    assert store.reconcile().ok


def test_tags_the_store_did_not_write_are_reported(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    git(store, "tag", "essex/roles/v2.0.0", "main")  # lightweight
    git(store, "tag", "-a", "-m", "x", "release-1", "main")
    report = store.reconcile()
    assert report.unknown_tags == ["refs/tags/essex/roles/v2.0.0", "refs/tags/release-1"]
    assert not report.ok
    # Only annotated tags the store wrote are versions.
    assert store.versions("essex", "roles") == ["1.0.0"]
    assert [t.version for t in store.all_tags()] == ["1.0.0"]
    store.submit(2, "essex", "roles", pack("2.0.0"))
    with pytest.raises(Conflict, match="did not write"):
        store.approve(2, "essex", "roles", "2.0.0", approver="m")


def test_every_lock_a_killed_writer_left_is_removed_not_only_the_first(
    store: ContentStore,
) -> None:
    """kill -9 during a transaction that deletes a packed ref leaves the ref's lock and
    packed-refs.lock; the next writer meets them one at a time and must remove both."""
    approve(store, 1, "essex", "roles", "1.0.0")
    store.submit(2, "essex", "roles", pack("1.1.0"))
    git(
        store, "pack-refs", "--all"
    )  # the submission's ref is packed: deleting it locks packed-refs
    locks = [store.repo.path / "refs" / "heads" / "main.lock", store.repo.path / "packed-refs.lock"]
    for lock in locks:
        lock.write_text(store.head() or "")
    assert store.approve(2, "essex", "roles", "1.1.0", approver="m").on_main
    assert [lock for lock in locks if lock.exists()] == []
    assert store.reconcile().ok
