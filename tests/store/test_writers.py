"""The write lock, the identity on every ref change, and the interface services depend on."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pytest

from registry.store import Busy, ContentStore, PackStore

from .helpers import approve, fsck, git, git_env, pack


def test_a_held_lock_makes_writers_wait_then_give_up(tmp_path: Path) -> None:
    with ContentStore(tmp_path / "content.git", lock_timeout=0.2) as store:
        store.init()
        fd = os.open(tmp_path / "content.git.lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another writer, in the middle of its work
            with pytest.raises(Busy, match="busy"):
                store.submit(1, "essex", "roles", pack())
            assert store.versions("essex", "roles") == []  # reads take no lock
        finally:
            os.close(fd)
        assert store.submit(1, "essex", "roles", pack()).submission_id == "1"


def test_ref_changes_are_logged_under_the_registry_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server account without any git identity of its own.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    with ContentStore(tmp_path / "content.git") as store:
        store.init()
        approve(store, 1, "essex", "roles", "1.0.0")
        approve(store, 2, "essex", "roles", "1.1.0")
        names = git(store, "reflog", "show", "--format=%gn <%ge>", "main").splitlines()
        assert names == ["cmsreg registry <registry@cmsreg.invalid>"] * 2
        fsck(store)


def test_git_environment_of_the_caller_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "decoy.git"
    subprocess.run(["git", "init", "-q", "--bare", str(decoy)], check=True, env=git_env())
    monkeypatch.setenv("GIT_DIR", str(decoy))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(decoy / "objects"))
    with ContentStore(tmp_path / "content.git") as store:
        store.init()
        approve(store, 1, "essex", "roles", "1.0.0")
        assert store.versions("essex", "roles") == ["1.0.0"]
    assert not any((decoy / "refs" / "tags").iterdir())


def test_the_store_meets_the_service_interface(store: ContentStore) -> None:
    assert isinstance(store, PackStore)
