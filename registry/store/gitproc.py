"""Running git: a clean environment, data on stdin only, and one long-lived `cat-file --batch`."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import StoreError

GIT = "git"


class GitFailed(StoreError):
    """A git command exited with an error; carries git's own message."""

    def __init__(self, command: str, returncode: int, stderr: str):
        super().__init__(f"git {command} failed ({returncode}): {stderr}")
        self.command = command
        self.returncode = returncode
        self.stderr = stderr


def git_env() -> dict[str, str]:
    """Return the caller's environment without GIT_* variables, so git sees only our repository."""
    # A GIT_DIR, GIT_INDEX_FILE or GIT_OBJECT_DIRECTORY inherited from a hook or a shell would
    # silently point git elsewhere; LC_ALL=C keeps git's messages in one language for callers.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0")
    return env


def run_git(
    git_dir: Path, args: Sequence[str], stdin: bytes = b"", env: dict[str, str] | None = None
) -> bytes:
    """Run git on git_dir with fixed arguments (never user text) and return its standard output."""
    proc = subprocess.run(
        [GIT, f"--git-dir={git_dir}", *args],
        input=stdin,
        capture_output=True,
        env=git_env() | (env or {}),
        check=False,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise GitFailed(args[0], proc.returncode, message)
    return proc.stdout


@dataclass(frozen=True)
class GitObject:
    """One object as cat-file returns it."""

    oid: str
    kind: str  # blob, tree, commit or tag
    data: bytes


class CatFile:
    """A `git cat-file --batch` process that answers one object per request; thread-safe."""

    def __init__(self, git_dir: Path):
        self._git_dir = git_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _process(self) -> subprocess.Popen[bytes]:
        # A process inherited over fork() shares its pipes with the parent: start our own.
        if self._proc is None or self._pid != os.getpid() or self._proc.poll() is not None:
            if self._proc is not None and self._pid == os.getpid():
                self._stop()
            if not (self._git_dir / "HEAD").is_file():
                raise StoreError(f"no content repository at {self._git_dir}; run init first")
            self._proc = subprocess.Popen(
                [GIT, f"--git-dir={self._git_dir}", "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
            self._pid = os.getpid()
        return self._proc

    def read(self, name: str) -> GitObject | None:
        """Return the object an object id or full ref name names, or None when there is none."""
        if not name or any(ch in name for ch in "\n\r\0") or name.startswith("-"):
            raise ValueError(f"unsafe object name {name!r}")
        with self._lock:
            proc = self._process()
            try:
                return self._ask(proc.stdin, proc.stdout, name)
            except (OSError, ValueError) as exc:
                self._stop()
                raise StoreError(
                    f"reading {name} from the content repository failed: {exc}"
                ) from exc

    @staticmethod
    def _ask(stdin: IO[bytes] | None, stdout: IO[bytes] | None, name: str) -> GitObject | None:
        assert stdin is not None and stdout is not None
        stdin.write(name.encode("utf-8") + b"\n")
        stdin.flush()
        header = stdout.readline()
        if not header:
            raise ValueError("cat-file stopped")
        parts = header.split()
        if parts[-1] in (b"missing", b"ambiguous"):
            return None
        oid, kind, size = parts
        data = stdout.read(int(size) + 1)  # content and its closing newline
        if len(data) != int(size) + 1:
            raise ValueError("short read from cat-file")
        return GitObject(oid.decode("ascii"), kind.decode("ascii"), data[:-1])

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        """Stop the process; the next read starts a new one."""
        with self._lock:
            if self._pid == os.getpid():
                self._stop()
            self._proc = None
