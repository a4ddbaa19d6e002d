"""Fixtures for the system tests: real `cmsreg-server` processes on a real instance.

An `Instance` is a folder and a database driven only through the operator commands
(`cmsreg-server init`, `create-org`, `create-token`, `check` ...), each run as its own process.
A `Server` is `cmsreg-server serve` (gunicorn, two worker processes) on a free port of
127.0.0.1, in a process group of its own so that a test can SIGKILL master and workers at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from registry.packs.build import build_zip
from tests.conftest import DATABASES, PG_URL

COMMAND = str(Path(sys.executable).with_name("cmsreg-server"))
COMMAND_TIMEOUT = 120  # seconds; a command that takes longer has hung
START_TIMEOUT = 30  # seconds for gunicorn to answer /healthz
START_ATTEMPTS = 3  # a port found free can be taken by another process before gunicorn binds it
STOP_TIMEOUT = 15  # seconds between SIGTERM and SIGKILL
COPY_ATTEMPTS = 50  # tries of CREATE DATABASE ... TEMPLATE, 0.1 s apart
PUBLISHER = "hertfordshire"
SUPPLIER = "system-c"


# What a client sees when the worker serving it dies before answering.
NO_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env() -> dict[str, str]:
    # Nothing of the caller's registry or gunicorn configuration may leak into the processes.
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CMSREG_", "GUNICORN_")) and k not in ("DATABASE_URL", "PORT")
    }


@dataclass
class Tokens:
    """The tokens of the instance's publisher and moderator."""

    publisher: str
    moderator: str


class Instance:
    """An instance folder and database, changed only through `cmsreg-server` commands."""

    def __init__(self, path: Path, database_url: str):
        self.path = path
        self.database_url = database_url
        self.env = _clean_env() | {
            "CMSREG_INSTANCE": str(path),
            "CMSREG_DATABASE_URL": database_url,
            "CMSREG_RATE_LIMITS": "off",  # tests upload many packs; one test turns them on
        }
        self._engine: sa.Engine | None = None

    @property
    def repo(self) -> Path:
        """The bare content repository."""
        return self.path / "content.git"

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `cmsreg-server ARGS` as its own process; check=True fails the test on exit != 0."""
        proc = subprocess.run(
            [COMMAND, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if check and proc.returncode != 0:
            pytest.fail(
                f"cmsreg-server {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
            )
        return proc

    def commands(self, *arglists: tuple[str, ...]) -> list[str]:
        """Run independent commands side by side; return the stdout of each."""
        procs = [
            subprocess.Popen(
                [COMMAND, *args],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for args in arglists
        ]
        outputs = []
        for args, proc in zip(arglists, procs, strict=True):
            out, _ = proc.communicate(timeout=COMMAND_TIMEOUT)
            if proc.returncode != 0:
                pytest.fail(f"cmsreg-server {' '.join(args)} exited {proc.returncode}:\n{out}")
            outputs.append(out)
        return outputs

    def check(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`cmsreg-server check ARGS`, whatever its exit code."""
        return self.command("check", *args, check=False)

    def setup_accounts(self) -> Tokens:
        """init, then a publishing council and a user group moderating System C, with tokens."""
        self.command("init")
        self.commands(
            (
                "create-org",
                PUBLISHER,
                "--name",
                "Hertfordshire County Council",
                "--la-type",
                "county",
            ),
            ("create-org", "lcs-user-group", "--name", "LCS user group", "--la-type", "user-group"),
        )
        self.commands(
            ("create-user", "herts-publisher", "--org", PUBLISHER),
            ("create-user", "lcs-moderator", "--org", "lcs-user-group"),
        )
        _, publisher, moderator = self.commands(
            ("set-moderator", "lcs-moderator", SUPPLIER),
            ("create-token", "herts-publisher", "--scope", "publish"),
            ("create-token", "lcs-moderator", "--scope", "moderate"),
        )
        return Tokens(publisher.strip().splitlines()[-1], moderator.strip().splitlines()[-1])

    # -- looking underneath, for assertions ---------------------------------------------------

    def git(self, *args: str, stdin: str = "") -> str:
        """Run git on the content repository and return its output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        return subprocess.run(
            ["git", f"--git-dir={self.repo}", *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=COMMAND_TIMEOUT,
        ).stdout

    def fsck(self) -> None:
        """Fail the test unless `git fsck --strict` finds the content repository sound."""
        proc = subprocess.run(
            ["git", f"--git-dir={self.repo}", "fsck", "--strict", "--no-dangling", "--no-progress"],
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT,
        )
        assert proc.returncode == 0, f"git fsck --strict: {proc.stdout}{proc.stderr}"

    def refs(self, prefix: str) -> list[str]:
        """The names of the refs under prefix (e.g. refs/submissions/)."""
        return self.git("for-each-ref", "--format=%(refname)", prefix).split()

    def sql(self, statement: str, **params: object) -> list[tuple]:
        """Run one SQL statement on the instance's database and return its rows."""
        if self._engine is None:
            self._engine = sa.create_engine(self.database_url)
        with self._engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []

    def close(self) -> None:
        """Release the test's own database connections."""
        if self._engine is not None:
            self._engine.dispose()


class Server:
    """`cmsreg-server serve` on the instance: start, stop (SIGTERM, then SIGKILL) and kill."""

    def __init__(self, instance: Instance, log: Path):
        self.instance = instance
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def start(self, **env: str) -> Server:
        """Start gunicorn with extra environment (e.g. CMSREG_CRASH_POINT) and wait for /healthz."""
        assert self.proc is None, "the server is running already"
        for _ in range(START_ATTEMPTS):
            if self._start(env):
                return self
        pytest.fail(f"no free port after {START_ATTEMPTS} attempts:\n{self.log_tail()}")

    def _start(self, env: dict[str, str]) -> bool:
        """Start on a free port; False when another process took the port meanwhile."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.starts += 1
        marker = f"--- start {self.starts} on port {port} {env}"
        with self.log.open("ab") as log:
            log.write(f"\n{marker}\n".encode())
            self.proc = subprocess.Popen(
                [COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=self.instance.env | env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: master and workers
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                if "Connection in use" in self.log.read_text(errors="replace").split(marker)[-1]:
                    return False
                pytest.fail(f"the server exited:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not answer /healthz in {START_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM the master (gunicorn stops its workers gracefully), SIGKILL after a while."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid)
                proc.wait(timeout=STOP_TIMEOUT)
        _kill_group(proc.pid)  # anything of the group that outlived the master (none expected)

    def kill(self) -> None:
        """SIGKILL master and workers at once, as a power cut or the OOM killer would."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        _kill_group(proc.pid)
        proc.wait(timeout=STOP_TIMEOUT)

    def workers(self) -> list[int]:
        """Process ids of the gunicorn workers (children of the master)."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def client(self, token: str | None = None) -> httpx.Client:
        """An HTTP client of the server, with a bearer token when given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(pgid, signal.SIGKILL)


class Templates:
    """One instance per database kind with accounts made by the real commands, copied per test.

    Making the accounts takes seven `cmsreg-server` processes; doing that once per session and
    copying the result (the instance folder, and the SQLite file or a PostgreSQL database made
    with `CREATE DATABASE ... TEMPLATE`) keeps every test on an instance of its own.
    """

    def __init__(self, root: Path):
        self.root = root
        self.made: dict[str, tuple[Path, str, Tokens]] = {}
        self.databases: list[str] = []
        self._admin: sa.Engine | None = None

    def admin(self) -> sa.Engine:
        if self._admin is None:
            self._admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def new_database(self, template: str | None = None) -> str:
        """Create a PostgreSQL database (a copy of template when given) and return its URL."""
        name = f"cmsreg_system_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        for attempt in range(COPY_ATTEMPTS):
            try:
                with self.admin().connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
                break
            except sa.exc.OperationalError:
                # The commands that made the template have exited, but PostgreSQL may not yet
                # have ended their sessions, and a template in use cannot be copied.
                if attempt == COPY_ATTEMPTS - 1:
                    raise
                time.sleep(0.1)
        self.databases.append(name)
        return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def instance(self, kind: str, path: Path) -> tuple[Instance, Tokens]:
        """A new instance at path, a copy of the kind's template (made on first use)."""
        if kind not in self.made:
            folder = self.root / kind / "instance"
            url = f"sqlite:///{folder / 'cmsreg.db'}" if kind == "sqlite" else self.new_database()
            template = Instance(folder, url)
            tokens = template.setup_accounts()
            template.close()
            self.made[kind] = (folder, url, tokens)
        folder, url, tokens = self.made[kind]
        shutil.copytree(folder, path, symlinks=True)
        if kind == "sqlite":
            url = f"sqlite:///{path / 'cmsreg.db'}"
        else:
            url = self.new_database(template=sa.make_url(url).database)
        return Instance(path, url), tokens

    def close(self) -> None:
        """Drop the PostgreSQL databases made in the session."""
        if self._admin is None:
            return
        with self._admin.connect() as conn:
            for name in reversed(self.databases):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The session's instance templates."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """sqlite, or postgresql when CMSREG_TEST_DATABASE_URL is set."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("CMSREG_TEST_DATABASE_URL is not set")
    return request.param


@pytest.fixture
def instance_and_tokens(
    templates: Templates, database_kind: str, tmp_path: Path
) -> Iterator[tuple[Instance, Tokens]]:
    """An initialised instance of its own, with a publisher's and a moderator's token."""
    inst, tokens = templates.instance(database_kind, tmp_path / "instance")
    yield inst, tokens
    inst.close()


@pytest.fixture
def instance(instance_and_tokens: tuple[Instance, Tokens]) -> Instance:
    """The test's instance."""
    return instance_and_tokens[0]


@pytest.fixture
def tokens(instance_and_tokens: tuple[Instance, Tokens]) -> Tokens:
    """The publisher's and moderator's tokens of the test's instance."""
    return instance_and_tokens[1]


@pytest.fixture
def server(instance: Instance, tmp_path: Path) -> Iterator[Server]:
    """A server of the instance, not yet started; always stopped at the end."""
    srv = Server(instance, tmp_path / "server.log")
    yield srv
    srv.stop()


# -- packs and requests ----------------------------------------------------------------------


def small_pack(name: str, version: str = "1.0.0", extra: str = "") -> dict[str, bytes]:
    """The files of a small valid pack of hertfordshire for System C LCS."""
    from tests.packs.manifests import pack_files

    files = pack_files(name=name, version=version, depends=...)
    files["config/steps.xml"] = (
        f"<steps><step code='CP1'>Strategy discussion {name} {version}{extra}</step></steps>\n"
    ).encode()
    return files


def submit(client: httpx.Client, files: dict[str, bytes]) -> httpx.Response:
    """POST a pack, as a zip, to /api/v1/submissions."""
    data = build_zip(files).data
    return client.post(
        "/api/v1/submissions", files={"archive": ("pack.zip", io.BytesIO(data), "application/zip")}
    )


def approve(client: httpx.Client, submission_id: int) -> httpx.Response:
    """POST an approval of a submission."""
    return client.post(
        f"/api/v1/submissions/{submission_id}/approve", json={"note": "Checked by the user group"}
    )


def all_at_once(count: int, call: Callable[[int], object]) -> list[object]:
    """Run call(0) ... call(count - 1) in threads released together; return results in order."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait(timeout=COMMAND_TIMEOUT)
        try:
            results[i] = call(i)
        except Exception as exc:  # reported to the test as a result
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=COMMAND_TIMEOUT)
    return results


def sha256(data: bytes) -> str:
    """Hex SHA-256 of data."""
    return hashlib.sha256(data).hexdigest()


def listed_versions(client: httpx.Client, publisher: str = PUBLISHER) -> list[tuple[str, str]]:
    """Every (pack, version) the API lists for a publisher."""
    r = client.get(f"/api/v1/publishers/{publisher}")
    assert r.status_code == 200, r.text
    found = []
    for pack in r.json()["packs"]:
        detail = client.get(f"/api/v1/packs/{publisher}/{pack['name']}")
        assert detail.status_code == 200, detail.text
        found += [(pack["name"], v["version"]) for v in detail.json()["versions"]]
    return sorted(found)


def assert_downloads_match(client: httpx.Client, name: str, version: str) -> dict:
    """Download both archives of a version; each must have the SHA-256 the API advertises."""
    base = f"/api/v1/packs/{PUBLISHER}/{name}/versions/{version}"
    detail = client.get(base)
    assert detail.status_code == 200, detail.text
    advertised = detail.json()["archive_sha256"]
    for fmt in ("zip", "tar.gz"):
        r = client.get(f"{base}/download", params={"format": fmt})
        assert r.status_code == 200, r.text
        assert sha256(r.content) == advertised[fmt] == r.headers["X-Checksum-SHA256"], (
            f"{name} {version} {fmt}"
        )
    return detail.json()
