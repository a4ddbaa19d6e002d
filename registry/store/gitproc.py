"""Git through GitPython: one `git.Repo` per process, and plumbing commands with data on stdin.

Every command runs with fixed arguments: ref names the store built and checked, object ids,
and options written here; anything else (a tag's text, ref updates) goes on stdin.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
from git.exc import GitCommandError

from .errors import StoreError
from .objects import ObjectDB


class GitFailed(StoreError):
    """A git command exited with an error; carries git's own message."""

    def __init__(self, command: str, returncode: int, stderr: str):
        super().__init__(f"git {command} failed ({returncode}): {stderr}")
        self.command = command
        self.returncode = returncode
        self.stderr = stderr


def git_environment(path: Path, identity: tuple[str, str]) -> dict[str, str]:
    """Variables every git command of the store runs with, over the caller's environment."""
    name, email = identity
    objects = str(path / "objects")
    return {
        # A GIT_DIR, GIT_OBJECT_DIRECTORY or alternates inherited from a hook or a shell would
        # silently point git elsewhere: name ours explicitly, whatever the caller has set.
        "GIT_DIR": str(path),
        "GIT_COMMON_DIR": str(path),
        "GIT_OBJECT_DIRECTORY": objects,
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_CONFIG_PARAMETERS": "",
        "GIT_CONFIG_COUNT": "0",
        "GIT_TERMINAL_PROMPT": "0",
        # Reflog entries carry a committer: the registry's, not whoever runs the server.
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def init_bare(path: Path, identity: tuple[str, str]) -> None:
    """Create a bare repository at path whose HEAD names main."""
    runner = git.Git(str(path.parent))
    runner.update_environment(**git_environment(path, identity))
    try:
        runner.init("--bare", "--quiet", "--initial-branch=main", "--", str(path))
    except GitCommandError as exc:
        raise _failed(exc) from exc


def open_repo(path: Path, identity: tuple[str, str]) -> git.Repo:
    """Open the bare repository at path with the store's object database and environment."""
    try:
        repo = git.Repo(str(path), odbt=ObjectDB)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise StoreError(f"no content repository at {path}; run init first") from exc
    repo.git.update_environment(**git_environment(path, identity))
    # GitPython takes the object folder from GIT_OBJECT_DIRECTORY when the caller has set it.
    repo.odb = ObjectDB(str(path / "objects"), repo.git)
    return repo


def run(repo: git.Repo, command: str, *args: str, stdin: bytes | None = None) -> bytes:
    """Run the git plumbing command with fixed arguments (and stdin); return its output."""
    try:
        if stdin is None:
            out = getattr(repo.git, command.replace("-", "_"))(
                *args, stdout_as_string=False, strip_newline_in_stdout=False
            )
            return bytes(out)
        proc = getattr(repo.git, command.replace("-", "_"))(
            *args, istream=subprocess.PIPE, as_process=True
        )
        out, err = proc.communicate(stdin)
    except GitCommandError as exc:
        raise _failed(exc) from exc
    if proc.returncode != 0:
        raise GitFailed(command, proc.returncode, err.decode("utf-8", "replace").strip())
    return out


def _failed(exc: GitCommandError) -> GitFailed:
    stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    # GitPython quotes git's message as "\n  stderr: '...'"; keep git's own words.
    stderr = stderr.strip().removeprefix("stderr: '").removesuffix("'")
    command = exc.command[1] if isinstance(exc.command, list) and len(exc.command) > 1 else "?"
    return GitFailed(str(command), int(exc.status or 1), stderr.strip())
