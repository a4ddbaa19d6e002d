"""Objects the store writes (GitPython and gitdb) are the objects git itself would write."""

from __future__ import annotations

import multiprocessing
import subprocess

from gitdb.util import hex_to_bin

from registry.store import ContentStore
from registry.store.objects import BLOB_MODE, TREE_MODE

from .helpers import approve, fsck, git, git_env, pack


def _git_in(store: ContentStore, *args: str, stdin: bytes = b"") -> bytes:
    proc = subprocess.run(
        ["git", f"--git-dir={store.repo.path}", *args],
        input=stdin,
        capture_output=True,
        env=git_env(),
        check=True,
    )
    return proc.stdout


def test_blobs_have_gits_ids_and_plain_git_reads_them(store: ContentStore) -> None:
    for data in [b"", b"hello\n", bytes(range(256)) * 100]:
        oid = store.repo.db.write("blob", data)
        assert oid == _git_in(store, "hash-object", "--stdin", stdin=data).decode().strip()
        assert _git_in(store, "cat-file", "blob", oid) == data
        assert store.repo.db.read_kind(oid, "blob") == data
    # Writing an existing object again returns the same id and leaves it readable.
    again = store.repo.db.write("blob", b"hello\n")
    assert _git_in(store, "cat-file", "blob", again) == b"hello\n"


def test_a_blob_written_in_chunks_is_the_same_object(store: ContentStore) -> None:
    data = bytes(range(256)) * 4000
    chunks = [data[i : i + 7000] for i in range(0, len(data), 7000)]
    oid = store.repo.db.write_stream("blob", len(data), iter(chunks))
    assert oid == store.repo.db.write("blob", data)
    assert _git_in(store, "cat-file", "blob", oid) == data


def test_trees_sort_like_git(store: ContentStore) -> None:
    db = store.repo.db
    blob = db.write("blob", b"x")
    sub = db.write_tree([(hex_to_bin(blob), BLOB_MODE, "f")])
    names = [("a", "tree"), ("a-b", "blob"), ("a.b", "tree"), ("a0", "blob"), ("A", "blob")]
    entries = [
        (hex_to_bin(sub), TREE_MODE, n) if kind == "tree" else (hex_to_bin(blob), BLOB_MODE, n)
        for n, kind in names
    ]
    listing = "".join(
        f"{'040000 tree' if kind == 'tree' else '100644 blob'} {sub if kind == 'tree' else blob}\t{n}\n"
        for n, kind in names
    )
    mktree = _git_in(store, "mktree", stdin=listing.encode()).decode().strip()
    assert db.write_tree(entries) == mktree
    assert git(store, "cat-file", "-t", mktree).strip() == "tree"
    assert git(store, "ls-tree", "--name-only", mktree).split() == ["A", "a-b", "a.b", "a", "a0"]


def test_commits_and_tags_read_back_by_plain_git(store: ContentStore) -> None:
    done = approve(store, 1, "essex", "roles", "1.0.0")
    commit = git(store, "cat-file", "commit", done.commit)
    assert commit.startswith(f"tree {git(store, 'rev-parse', done.commit + '^{tree}').strip()}\n")
    assert "author cmsreg registry <registry@cmsreg.invalid> " in commit
    assert " +0000\ncommitter cmsreg registry <registry@cmsreg.invalid> " in commit
    assert commit.endswith("\n\nApprove essex/roles 1.0.0\n\nSubmission: 1\n")
    tag = git(store, "cat-file", "tag", done.tag_object)
    assert tag.startswith(f"object {done.commit}\ntype commit\ntag essex/roles/v1.0.0\n")
    assert tag.endswith("Approved-by: moderator\nSubmission: 1\n")
    assert (
        git(store, "show", "essex/roles/v1.0.0:packs/essex/roles/README.md").encode()
        == (pack()["README.md"])
    )
    fsck(store)


def _approve_in_child(store: ContentStore, queue: multiprocessing.Queue) -> None:
    # Inherited over fork: the store's git.Repo and cat-file belong to the parent.
    try:
        approve(store, 2, "essex", "roles", "1.1.0")
        queue.put(store.versions("essex", "roles"))
    except BaseException as exc:  # report, so the parent's assertion shows what went wrong
        queue.put(repr(exc))


def test_a_forked_worker_opens_its_own_repo_and_lock(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    parent_repo = store.repo.handle
    assert store.versions("essex", "roles") == ["1.0.0"]  # the parent's cat-file is running
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_approve_in_child, args=(store, queue))
    child.start()
    found = queue.get(timeout=60)
    child.join(timeout=60)
    assert found == ["1.0.0", "1.1.0"] and child.exitcode == 0
    # The parent's reader was neither used nor stopped by the child, and sees its work.
    assert store.repo.handle is parent_repo
    assert store.versions("essex", "roles") == ["1.0.0", "1.1.0"]
    assert store.files("essex", "roles", "1.1.0") == pack("1.1.0")
