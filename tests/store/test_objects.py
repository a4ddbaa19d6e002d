"""Objects the store writes are the objects git itself would write."""

from __future__ import annotations

import subprocess

import pytest

from registry.store import ContentStore, StoreError
from registry.store.gitproc import git_env
from registry.store.objects import BLOB_MODE, TREE_MODE, parse_tree

from .helpers import git


def _mktree(store: ContentStore, listing: str) -> str:
    proc = subprocess.run(
        ["git", f"--git-dir={store.repo.path}", "mktree"],
        input=listing.encode(),
        capture_output=True,
        env=git_env(),
        check=True,
    )
    return proc.stdout.decode().strip()


def test_blobs_have_gits_ids(store: ContentStore) -> None:
    for data in [b"", b"hello\n", bytes(range(256)) * 100]:
        oid = store.repo.db.write("blob", data)
        proc = subprocess.run(
            ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
        )
        assert oid == proc.stdout.decode().strip()
        assert store.repo.db.read_kind(oid, "blob") == data
    # Writing an existing object again returns the same id and leaves it readable.
    again = store.repo.db.write("blob", b"hello\n")
    assert store.repo.db.read_kind(again, "blob") == b"hello\n"


def test_trees_sort_like_git(store: ContentStore) -> None:
    db = store.repo.db
    blob = db.write("blob", b"x")
    sub = db.write_tree([(BLOB_MODE, b"f", bytes.fromhex(blob))])
    names = [("a", "tree"), ("a-b", "blob"), ("a.b", "tree"), ("a0", "blob"), ("A", "blob")]
    entries = [
        (
            TREE_MODE if kind == "tree" else BLOB_MODE,
            n.encode(),
            bytes.fromhex(sub if kind == "tree" else blob),
        )
        for n, kind in names
    ]
    listing = "".join(
        f"{'040000 tree' if kind == 'tree' else '100644 blob'} {sub if kind == 'tree' else blob}\t{n}\n"
        for n, kind in names
    )
    assert db.write_tree(entries) == _mktree(store, listing)
    assert git(store, "cat-file", "-t", _mktree(store, listing)).strip() == "tree"


def test_a_malformed_tree_is_refused() -> None:
    with pytest.raises(StoreError):
        parse_tree(b"100644 a\0" + b"x" * 19)
