"""The repository is a public mirror: clones get main and every tag, never pending submissions."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from registry.store import ContentStore
from registry.store.gitproc import git_env

from .helpers import approve, pack


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], capture_output=True, env=git_env(), check=True)
    return proc.stdout.decode()


def test_a_mirror_clone_has_main_and_tags_but_no_submissions(
    store: ContentStore, tmp_path: Path
) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    approve(store, 2, "essex", "roles", "1.1.0")
    approve(store, 3, "kent", "forms", "0.1.0")
    store.submit(4, "essex", "roles", pack("2.0.0", secret=b"under review"))
    mirror = tmp_path / "mirror.git"
    _git("clone", "--quiet", "--mirror", f"file://{store.repo.path}", str(mirror))
    refs = _git(f"--git-dir={mirror}", "for-each-ref", "--format=%(refname)").split()
    assert refs == [
        "refs/heads/main",
        "refs/tags/essex/roles/v1.0.0",
        "refs/tags/essex/roles/v1.1.0",
        "refs/tags/kent/forms/v0.1.0",
    ]
    _git(f"--git-dir={mirror}", "fsck", "--strict")
    checkout = tmp_path / "checkout"
    _git("clone", "--quiet", f"file://{store.repo.path}", str(checkout))
    assert (checkout / "packs/essex/roles/cmspack.yaml").read_text().endswith("1.1.0\n")
    _git("-C", str(checkout), "checkout", "--quiet", "essex/roles/v1.0.0")
    assert (checkout / "packs/essex/roles/cmspack.yaml").read_text().endswith("1.0.0\n")


def test_git_gc_packs_everything_and_cleans_crash_leftovers(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    leftover = store.repo.path / "objects" / "ab" / "tmp_obj_crashed"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half an object")
    old = time.time() - 30 * 24 * 3600
    os.utime(leftover, (old, old))
    store.gc()
    assert not leftover.exists()
    assert store.files("essex", "roles", "1.0.0") == pack("1.0.0")
    # Reads keep working when objects and refs are packed, and so do writes.
    approve(store, 2, "essex", "roles", "1.1.0")
    assert store.versions("essex", "roles") == ["1.0.0", "1.1.0"]
