"""Several processes writing at once: the flock serialises them and nothing is lost."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from registry.store import ContentStore

from .helpers import git, pack

WRITERS = 8
pytestmark = pytest.mark.slow  # eight fresh interpreters


def _submit_and_approve(path: str, index: int, barrier, same_pack: bool) -> None:
    """One writer process: submit and approve its own version as soon as all are ready."""
    publisher, name = ("essex", "roles") if same_pack else (f"council-{index % 3}", f"p{index}")
    version = f"1.0.{index}" if same_pack else "1.0.0"
    with ContentStore(Path(path)) as store:
        barrier.wait(timeout=60)
        store.submit(index + 1, publisher, name, pack(version, **{f"f{index}": b"x"}))
        store.approve(index + 1, publisher, name, version, approver=f"m{index}")


def _run_writers(store: ContentStore, same_pack: bool) -> None:
    # spawn: each writer is a fresh interpreter with its own git processes, like WSGI workers.
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    procs = [
        ctx.Process(target=_submit_and_approve, args=(str(store.repo.path), i, barrier, same_pack))
        for i in range(WRITERS)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0] * WRITERS


def test_eight_processes_approving_different_packs(store: ContentStore) -> None:
    _run_writers(store, same_pack=False)
    tags = {(t.publisher, t.name, t.version) for t in store.all_tags()}
    assert tags == {(f"council-{i % 3}", f"p{i}", "1.0.0") for i in range(WRITERS)}
    assert set(store.repo.main_packs()) == {(f"council-{i % 3}", f"p{i}") for i in range(WRITERS)}
    assert store.submissions() == []
    assert store.reconcile().ok
    git(store, "fsck", "--strict")
    # main is one line of history: every approval built on the one before it.
    assert git(store, "rev-list", "--count", "main").strip() == str(WRITERS)


def test_eight_processes_approving_versions_of_one_pack(store: ContentStore) -> None:
    _run_writers(store, same_pack=True)
    assert store.versions("essex", "roles") == [f"1.0.{i}" for i in range(WRITERS)]
    newest = store.files("essex", "roles", f"1.0.{WRITERS - 1}")
    assert git(store, "rev-parse", "main:packs/essex/roles").strip() == (
        store.tag_info("essex", "roles", f"1.0.{WRITERS - 1}").tree
    )
    assert newest["cmspack.yaml"].endswith(f"1.0.{WRITERS - 1}\n".encode())
    assert store.reconcile().ok
    git(store, "fsck", "--strict")
