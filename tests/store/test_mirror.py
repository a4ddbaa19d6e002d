"""A mirror or clone holds only public content; refused content leaves the store.

The store keeps pending submissions under refs/submissions/, which neither `git clone`,
`git clone --mirror` from the registry, nor the push docs/operations.md documents carries.
`gc` prunes what no ref reaches, so withdrawn uploads do not grow the store for ever.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from registry.store import ContentStore

from .helpers import approve, git, git_env, pack

PENDING_ONLY = b"Pending only: triage outcomes for the front door pilot.\n"
REJECTED_ONLY = b"Rejected only: a list that should never have been shared.\n"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def run(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, check=True, env=git_env()
    ).stdout


def holds(repo: Path, data: bytes) -> bool:
    oid = (
        subprocess.run(
            ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    return (
        subprocess.run(
            ["git", f"--git-dir={repo}", "cat-file", "-e", oid], capture_output=True, env=git_env()
        ).returncode
        == 0
    )


def registry_with_every_kind_of_ref(store: ContentStore) -> None:
    store.submit(1, "hertfordshire", "cp-workflow", pack("1.0.0"))
    store.approve(1, "hertfordshire", "cp-workflow", "1.0.0", approver="alex")
    store.submit(2, "hertfordshire", "cp-workflow", pack("1.1.0", config__p_txt=PENDING_ONLY))
    store.submit(3, "hertfordshire", "cp-workflow", pack("1.2.0", config__r_txt=REJECTED_ONLY))
    store.drop_submission(3)  # rejected: its ref goes at once
    assert holds(store.repo.path, PENDING_ONLY)


def public_refs(repo: Path) -> list[str]:
    return run("git", f"--git-dir={repo}", "for-each-ref", "--format=%(refname)").split()


def test_submissions_live_outside_branches_and_tags(store):
    registry_with_every_kind_of_ref(store)
    refs = public_refs(store.repo.path)
    assert "refs/submissions/2" in refs
    assert not [r for r in refs if r.startswith("refs/heads/") and r != "refs/heads/main"]


def test_a_mirror_clone_holds_only_main_and_the_tags(store, tmp_path):
    registry_with_every_kind_of_ref(store)
    mirror = tmp_path / "mirror.git"
    # file:// makes git use its transport (upload-pack), as a clone over the network would.
    run("git", "clone", "--quiet", "--mirror", f"file://{store.repo.path}", str(mirror))
    assert public_refs(mirror) == [
        "refs/heads/main",
        "refs/tags/hertfordshire/cp-workflow/v1.0.0",
    ]
    assert not holds(mirror, PENDING_ONLY)
    assert not holds(mirror, REJECTED_ONLY)


def test_the_documented_mirror_push_carries_only_public_content(store, tmp_path):
    registry_with_every_kind_of_ref(store)
    mirror = tmp_path / "public.git"
    run("git", "init", "--quiet", "--bare", str(mirror))
    command = _documented_push()
    # Run exactly what the docs say, with the instance path and the mirror filled in.
    shell = command.replace("instance/content.git", str(store.repo.path)).replace(
        "<mirror-url>", str(mirror)
    )
    subprocess.run(["sh", "-c", shell], check=True, capture_output=True, env=git_env())
    assert public_refs(mirror) == [
        "refs/heads/main",
        "refs/tags/hertfordshire/cp-workflow/v1.0.0",
    ]
    assert not holds(mirror, PENDING_ONLY)
    # A tag that repair deletes is deleted from the mirror by the next push (--prune).
    approve(store, 5, "kent", "forms", "0.1.0")
    subprocess.run(["sh", "-c", shell], check=True, capture_output=True, env=git_env())
    assert "refs/tags/kent/forms/v0.1.0" in public_refs(mirror)
    store.remove_version("kent", "forms", "0.1.0")
    subprocess.run(["sh", "-c", shell], check=True, capture_output=True, env=git_env())
    assert public_refs(mirror) == [
        "refs/heads/main",
        "refs/tags/hertfordshire/cp-workflow/v1.0.0",
    ]


def _documented_push() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"```sh\n(git -C instance/content\.git push [^`]*?)\n```", text)
    assert match, "docs/operations.md no longer shows the mirror push"
    return match.group(1).replace("\\\n", " ")


def test_init_moves_submissions_of_an_earlier_release_out_of_the_branches(store):
    registry_with_every_kind_of_ref(store)
    commit = git(store, "rev-parse", "refs/submissions/2").strip()
    git(store, "update-ref", "refs/heads/submissions/2", commit)
    git(store, "update-ref", "-d", "refs/submissions/2")
    store.init()
    assert git(store, "rev-parse", "refs/submissions/2").strip() == commit
    assert "refs/heads/submissions/" not in " ".join(public_refs(store.repo.path))
    assert store.submission(2).commit == commit


def test_gc_returns_the_store_to_its_size_after_withdrawn_uploads(store):
    store.submit(1, "hertfordshire", "cp-workflow", pack("1.0.0"))
    store.approve(1, "hertfordshire", "cp-workflow", "1.0.0", approver="alex")
    store.gc()
    before = store.repo.size()
    for sid in (2, 3, 4):
        big = os.urandom(1_500_000).hex().encode()  # 3 MB that no compression shrinks by half
        store.submit(sid, "hertfordshire", "cp-workflow", pack("1.1.0", config__big_csv=big))
        store.drop_submission(sid)  # withdrawn
    assert store.repo.size() > before + 3 * 1_500_000  # each upload grew the store
    report = store.gc()
    assert report.size_before > before + 3 * 1_500_000
    # Back to its size, give or take git's bookkeeping (a pack index, a few loose bytes).
    assert store.repo.size() <= before + 16 * 1024, (before, store.repo.size())
    assert report.size_after == store.repo.size()
    # Approved content is untouched.
    assert store.files("hertfordshire", "cp-workflow", "1.0.0") == pack("1.0.0")


def test_gc_keeps_the_objects_of_a_submission_being_written(store):
    """A blob written before its ref exists survives a gc that runs in between."""
    from registry.store import trees

    blob_data = b"Written, not yet named by any ref.\n"
    with store.repo.adding_objects():
        trees.write_folder(store.repo.db, trees.check_files({"config/a.txt": blob_data}))
        # gc waits for the writer (it takes the objects lock alone); a short timeout proves it.
        store.repo.lock_timeout = 0.2
        try:
            store.gc()
        except Exception as exc:  # Busy: gc could not start while objects were being added
            assert "busy" in str(exc)
        else:
            raise AssertionError("gc ran while a submission was adding objects")
        finally:
            store.repo.lock_timeout = 30
    assert holds(store.repo.path, blob_data)


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
    written = store.repo.path / "objects" / "objcrashed"  # where gitdb writes before renaming
    written.write_bytes(b"half an object")
    old = time.time() - 30 * 24 * 3600
    for path in (leftover, written):
        os.utime(path, (old, old))
    store.gc()
    assert not leftover.exists() and not written.exists()
    assert store.files("essex", "roles", "1.0.0") == pack("1.0.0")
    # Reads keep working when objects and refs are packed, and so do writes.
    approve(store, 2, "essex", "roles", "1.1.0")
    assert store.versions("essex", "roles") == ["1.0.0", "1.1.0"]
