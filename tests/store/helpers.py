"""Helpers shared by the store tests: small packs and direct git calls for assertions."""

from __future__ import annotations

import os
import subprocess

from registry.store import ApprovedVersion, ContentStore


def git_env() -> dict[str, str]:
    """This environment without GIT_* variables, so plain git sees only the repository named."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return env | {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def pack(version: str = "1.0.0", **extra: bytes) -> dict[str, bytes]:
    """Return the files of a small pack at version; extra adds files (use __ for /)."""
    files = {
        "cmspack.yaml": f"name: cp-workflow\nversion: {version}\n".encode(),
        "README.md": b"# CP workflow\n\nInstall it in LCS.\n",
        "config/workflow.xml": b"<workflow>\n  <step id='s47'/>\n</workflow>\n",
    }
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    return files


def git(store: ContentStore, *args: str) -> str:
    """Run git on the store's repository (tests only) and return its output."""
    out = subprocess.run(
        ["git", f"--git-dir={store.repo.path}", *args],
        capture_output=True,
        env=git_env(),
        check=True,
    )
    return out.stdout.decode()


def fsck(store: ContentStore) -> None:
    """Fail unless `git fsck --strict` finds the store's repository sound."""
    git(store, "fsck", "--strict", "--no-progress", "--no-dangling")


def archive(store: ContentStore, publisher: str, name: str, version: str, fmt: str) -> bytes:
    """The bytes of a version's cached archive, built on first use."""
    return store.archive_file(publisher, name, version, fmt).path.read_bytes()


def ref_exists(store: ContentStore, ref: str) -> bool:
    """True when ref exists in the store's repository."""
    proc = subprocess.run(
        ["git", f"--git-dir={store.repo.path}", "show-ref", "--verify", "--quiet", ref],
        env=git_env(),
        check=False,
    )
    return proc.returncode == 0


def approve(
    store: ContentStore, sid: int, publisher: str, name: str, version: str, **extra: bytes
) -> ApprovedVersion:
    """Submit and approve one version in a single step."""
    store.submit(sid, publisher, name, pack(version, **extra))
    return store.approve(sid, publisher, name, version, approver="moderator", note="ok")
