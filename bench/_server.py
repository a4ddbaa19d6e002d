"""Run `cmsreg-server serve` for a benchmark, and load it with wrk or, without wrk, httpx threads.

    with serve({"CMSREG_INSTANCE": str(instance)}, log=folder / "server.log") as (base, health):
        rate = load_paths(base, ["/api/v1/search?q=dols&kind=form", ...], seconds=10)

The server is started in its own process group and always stopped (SIGTERM, then SIGKILL after
15 seconds) when the block ends, whatever happens inside it. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
# Load generation by Python threads stops after this many requests, whatever the duration.
MAX_THREAD_REQUESTS = 1_000_000


def free_port() -> int:
    """A free TCP port of 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 30, log: Path | None = None) -> str:
    """Wait until url answers 200 and return its body, or fail (with the log's tail if given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode}{_tail(log)}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response.text
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout:g} s{_tail(log)}")


def _tail(log: Path | None, lines: int = 20) -> str:
    if log is None or not log.is_file():
        return ""
    return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it after 15 seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def server_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any CMSREG_* or GUNICORN_* variable, plus settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMSREG_", "GUNICORN_"))}
    return env | dict(settings)


def command(name: str) -> str:
    """The path of a console script installed beside this interpreter (cmsreg-server ...)."""
    return str(Path(sys.executable).with_name(name))


@contextlib.contextmanager
def serve(
    settings: Mapping[str, str], workers: int = 2, log: Path | None = None, timeout: float = 60
) -> Iterator[tuple[str, dict]]:
    """Run `cmsreg-server serve` on a free port with settings (CMSREG_*) as its environment.

    Yields the base URL and the /healthz answer once it is 200. The server's output (gunicorn's
    access log) goes to log, or nowhere.
    """
    port = free_port()
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            [
                command("cmsreg-server"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=server_env(settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log is not None:
            out.close()  # the server has its own descriptor
    try:
        base = f"http://{HOST}:{port}"
        health = json.loads(wait_for(base + "/healthz", proc, timeout, log))
        yield base, health
    finally:
        stop(proc)


def load(url: str, seconds: float, connections: int = 8) -> tuple[float, str]:
    """Requests per second on url for seconds: wrk when installed, else httpx threads."""
    result = load_paths(url, [""], seconds, connections, wrk_threads=2)
    return result.rate, result.tool


@dataclass
class Load:
    """What a load run measured."""

    rate: float  # successful requests per second
    requests: int
    tool: str  # "wrk" or "httpx threads"
    p50_ms: float | None = None  # latency under load, when the tool reports it
    p99_ms: float | None = None


def ensure_wrk() -> str | None:
    """Return wrk's path, installing Debian's package first when missing and possible (root)."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)", file=sys.stderr)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet).returncode:
        subprocess.run(["apt-get", "update"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def load_paths(
    base: str,
    paths: Sequence[str],
    seconds: float,
    connections: int = 4,
    wrk_threads: int = 1,
    use_wrk: bool = True,
) -> Load:
    """Load base + paths[i], cycling through paths, for seconds; fail on any error response.

    With wrk, a Lua script hands each request the next path (each wrk thread starting at its
    own offset); without it, `connections` httpx threads do the same in Python, on the same
    CPUs as the server.
    """
    if not paths:
        raise ValueError("no paths to request")
    wrk = shutil.which("wrk") if use_wrk else None
    if wrk:
        return _wrk(wrk, base, paths, seconds, connections, wrk_threads)
    return _threads(base, paths, seconds, connections)


_LUA = """\
local paths = {%s}
local next_path = 0
local started = 0
function setup(thread)
  thread:set("first", started * math.floor(#paths / %d))
  started = started + 1
end
function init(args)
  next_path = first or 0
end
function request()
  next_path = next_path + 1
  return wrk.format("GET", paths[(next_path - 1) %% #paths + 1])
end
"""


def _wrk(
    wrk: str, base: str, paths: Sequence[str], seconds: float, connections: int, threads: int
) -> Load:
    threads = max(1, min(threads, connections))
    root = base.rstrip("/")
    urls = [root + p for p in paths] if any(paths) else [root]
    # json.dumps writes a valid Lua string for ASCII text; query strings here are percent-encoded.
    if not all(u.isascii() for u in urls):
        raise ValueError("wrk paths must be ASCII (percent-encode them)")
    first, *_ = urls
    origin = re.match(r"https?://[^/]+", first)
    if origin is None:
        raise ValueError(f"not an http URL: {first}")
    # wrk's own timeout is 2 s: a request queued behind a cold worker's first searches can
    # take longer without anything being wrong; 30 s is gunicorn's.
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    args.append("--latency")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="cmsreg-wrk-") as script:
        if len(urls) > 1:  # one URL needs no script (and wrk runs faster without one)
            targets = ", ".join(json.dumps(u[origin.end() :] or "/") for u in urls)
            script.write(_LUA % (targets, threads))
            script.flush()
            args += ["-s", script.name]
        done = subprocess.run(
            [*args, first], capture_output=True, text=True, check=False, timeout=seconds + 60
        )
    out = done.stdout
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{first}: {errors.group(1)} failed responses\n{out}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors and (int(socket_errors.group(1)) or int(socket_errors.group(4))):
        raise SystemExit(f"{first}: connection errors or timeouts\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rate is None or total is None:
        raise SystemExit(f"could not read wrk's report:\n{out}")
    return Load(
        float(rate.group(1)),
        int(total.group(1)),
        "wrk",
        _wrk_ms(out, "50%"),
        _wrk_ms(out, "99%"),
    )


def _wrk_ms(out: str, label: str) -> float | None:
    """A latency percentile of wrk's --latency table, in milliseconds."""
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:
        return None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return float(found.group(1)) * scale


def _threads(base: str, paths: Sequence[str], seconds: float, connections: int) -> Load:
    connections = max(1, connections)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    root = base.rstrip("/")

    def client(i: int) -> None:
        k = i * (len(paths) // connections)
        mine = latencies[i]
        with httpx.Client(timeout=30) as c:
            while time.monotonic() < deadline and len(mine) < MAX_THREAD_REQUESTS and not failures:
                path = paths[k % len(paths)]
                started = time.perf_counter()
                response = c.get(root + path)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} for {path}")
                    return
                mine.append(time.perf_counter() - started)
                k += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"{root}: failed response: {failures[0]}")
    times = sorted(t for mine in latencies for t in mine)
    if not times:
        raise SystemExit(f"{root}: no request completed in {seconds:g} s")

    def ms(p: float) -> float:
        return times[min(len(times) - 1, max(0, round(p / 100 * len(times)) - 1))] * 1000

    return Load(len(times) / elapsed, len(times), "httpx threads", ms(50), ms(99))


def machine() -> str:
    """The machine in a phrase: CPUs, load, and the time of a fixed pure-Python loop.

    Absolute targets (milliseconds) depend on the CPU; the loop lets two runs on different
    machines be compared (about 0.7 s on a current desktop core).
    """
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    loop = time.perf_counter() - started
    return (
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f},"
        f" 10M-step Python loop {loop:.2f} s"
    )
