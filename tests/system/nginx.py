"""A real nginx (Debian's /usr/sbin/nginx) in front of a test server, configured with the proxy
settings of docs/deployment.md exactly as written there.

nginx runs as a non-daemon from a folder of the test: configuration, pid file, logs and
temporary files all live there; it listens on a free port of 127.0.0.1.
"""

from __future__ import annotations

import getpass
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.system.conftest import START_ATTEMPTS, START_TIMEOUT, STOP_TIMEOUT, free_port

NGINX = Path("/usr/sbin/nginx")
DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
SNIPPET_NAME = "/etc/nginx/snippets/cmsreg-proxy.conf"
DOCUMENTED_UPSTREAM = "http://127.0.0.1:8000"


def documented_snippet() -> str:
    """The nginx snippet of docs/deployment.md: the first nginx block after its file name."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    after = text[text.index(f"`{SNIPPET_NAME}`") :]
    found = re.search(r"```nginx\n(.*?)\n```", after, re.DOTALL)
    assert found, f"no nginx block after {SNIPPET_NAME} in {DEPLOYMENT}"
    return found.group(1)


MAIN_CONF = """\
{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name registry.test;
        include {folder}/cmsreg-proxy.conf;
    }}
}}
"""


class Nginx:
    """nginx with the documented snippet, proxying to upstream (the test server's URL)."""

    def __init__(self, folder: Path, upstream: str):
        self.folder = folder
        self.upstream = upstream
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        folder.mkdir(parents=True, exist_ok=True)
        snippet = documented_snippet()
        assert DOCUMENTED_UPSTREAM in snippet, "the snippet no longer proxies to 127.0.0.1:8000"
        (folder / "cmsreg-proxy.conf").write_text(snippet.replace(DOCUMENTED_UPSTREAM, upstream))

    def start(self) -> Nginx:
        """Start on a free port and wait until a request through it reaches the registry."""
        for _ in range(START_ATTEMPTS):
            if self._start():
                return self
        pytest.fail(f"nginx found no free port in {START_ATTEMPTS} attempts:\n{self.log_tail()}")

    def _start(self) -> bool:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        # As root, nginx's workers would drop to `nobody`, who cannot enter the test's folder.
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        conf = self.folder / "nginx.conf"
        conf.write_text(MAIN_CONF.format(user=user, folder=self.folder, port=port))
        with (self.folder / "stderr.log").open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    NGINX,
                    "-p",
                    str(self.folder),
                    "-c",
                    str(conf),
                    "-e",
                    str(self.folder / "error.log"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                if "Address already in use" in self.log_tail():
                    return False
                pytest.fail(f"nginx exited:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"nginx did not answer /healthz in {START_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop nginx (SIGTERM: fast shutdown), SIGKILL after a while."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, lines: int = 30) -> str:
        """The end of nginx's logs, for failure messages."""
        text = ""
        for name in ("stderr.log", "error.log"):
            path = self.folder / name
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])
