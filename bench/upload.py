"""Benchmark the memory and time of the worst upload the default limits allow.

    .venv/bin/python bench/upload.py [--concurrent 8] [--quick] [--no-http]

The pack (tests/worstcase.py) is a small zip that unpacks to about 190 MiB of configuration
text in 2,000 files, at the default limits, with nothing a scan would block, so it goes through
reading, scanning and storing in git. Each in-process measurement runs in a fresh process: a
registry on a temporary instance (SQLite) is warmed up with a small upload, then the uploads
are POSTed through the Flask test client, one thread each, and the process's resident memory is
read before and at its peak (/proc/self/status, with the peak reset first).

The reference reads the same archive's bytes and inflates every member, throwing the output
away: the least any upload must do. Targets: one upload raises resident memory by at most
64 MiB; `--concurrent` uploads at once by at most that per validation slot (a process checks
at most `Limits.max_concurrent_validations` uploads at a time; the others wait, or are told
503 to retry if they wait too long).

Then the same through a real `cmsreg-server serve` (gunicorn, two workers, one thread each, as
in production) on 127.0.0.1: one upload, and `--concurrent` at once from as many client threads,
which gunicorn queues and its workers take one at a time. The memory figure is the peak of the
resident size of the server's processes together (sampled every 20 ms) above their size after
warm-up uploads. `--no-http` skips this part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/worstcase.py builds and measures the uploads

from _server import machine, serve  # noqa: E402 (bench/ is on the path)

from registry.packs.limits import DEFAULT_LIMITS, MiB  # noqa: E402
from tests.worstcase import PUBLISHER, manifest, write_worst_case_zip  # noqa: E402

TARGET_MIB = 64
SAMPLE_SECONDS = 0.02


def measure(archives: list[Path], *, reference: bool = False) -> dict:
    """Run tests/worstcase.py in a fresh process and return its figures."""
    args = [sys.executable, "-m", "tests.worstcase", *map(str, archives)]
    if reference:
        args.append("--reference")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMSREG_")}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Through cmsreg-server serve -------------------------------------------------------------------


def _server_pids(port: int) -> list[int]:
    """gunicorn's master and workers: the processes whose command line binds port."""
    bind = f"127.0.0.1:{port}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"gunicorn" in cmdline and bind in cmdline:
                pids.append(int(entry.name))
    return pids


def _rss_kib(pids: list[int]) -> int:
    """Resident memory of pids together."""
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in lines if line.startswith("VmRSS:"))
    return total


def _instance(folder: Path) -> str:
    """An initialised instance with the publisher's organisation; returns a publish token."""
    from registry.services import accounts
    from registry.services.context import Registry

    reg = Registry.from_settings({"INSTANCE": str(folder)})
    try:
        reg.init()
        accounts.create_org(reg, PUBLISHER, "Hertfordshire", "county")
        accounts.create_user(reg, "publisher", PUBLISHER)
        return accounts.create_token(reg, "publisher", ["publish"])
    finally:
        reg.close()


class Sampler:
    """The peak of the server's resident memory while a block runs, above where it started."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.baseline = self.peak = _rss_kib(pids)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _rss_kib(self.pids))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def served(folder: Path, concurrent: int) -> list[tuple[str, dict]]:
    """One upload, then `concurrent` at once, through cmsreg-server serve with two workers."""
    token = _instance(folder / "instance")
    headers = {"Authorization": f"Bearer {token}"}
    warm = folder / "warm.zip"
    with zipfile.ZipFile(warm, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cmspack.yaml", manifest("0.0.1"))
        zf.writestr("README.md", "# Warm-up\n\nA small pack.\n")
    batches = []
    for name, versions in (
        ("serve: one upload", ["2.0.0"]),
        (f"serve: {concurrent} uploads at once", [f"2.1.{i}" for i in range(concurrent)]),
    ):
        paths = [folder / f"served-{v}.zip" for v in versions]
        for path, version in zip(paths, versions, strict=True):
            write_worst_case_zip(path, version)
        batches.append((name, paths))

    results = []
    settings = {"CMSREG_INSTANCE": str(folder / "instance")}
    with serve(settings, workers=2, log=folder / "serve.log") as (base, _):
        pids = _server_pids(int(base.rsplit(":", 1)[1]))

        def post(path: Path) -> int:
            with path.open("rb") as archive:
                response = httpx.post(
                    f"{base}/api/v1/submissions",
                    files={"archive": (path.name, archive, "application/zip")},
                    headers=headers,
                    timeout=600,
                )
            return response.status_code

        for _ in range(4):  # both workers have served an upload: imports, connections, git
            post(warm)
        for name, paths in batches:
            statuses = [0] * len(paths)

            def send(i: int, path: Path, statuses: list[int] = statuses) -> None:
                statuses[i] = post(path)

            threads = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(paths)]
            started = time.perf_counter()
            with Sampler(pids) as sampler:
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            seconds = time.perf_counter() - started
            figures = {"extra_kib": sampler.peak - sampler.baseline, "seconds": seconds}
            results.append((name, figures | {"statuses": statuses}))
    return results


# --- Report ----------------------------------------------------------------------------------------


def row(name: str, *cells: str) -> str:
    """One table row."""
    return f"{name:<34}" + "".join(f"{c:>14}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    """Build the archives, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="one upload, in process only")
    parser.add_argument("--no-http", action="store_true", help="skip cmsreg-server serve")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-upload-") as tmp:
        folder = Path(tmp)
        archives = []
        for i in range(1 if args.quick else args.concurrent):
            path = folder / f"worst-{i}.zip"
            unpacked = write_worst_case_zip(path, version=f"1.0.{i}")
            archives.append(path)
        size = archives[0].stat().st_size
        print(
            f"pack: {size / MiB:.1f} MiB zip unpacking to {unpacked / MiB:.0f} MiB in 1,993 "
            f"files; {machine()}"
        )
        reference = measure(archives[:1], reference=True)
        one = measure(archives[:1])
        results = [("reference: read + inflate", reference), ("one upload", one)]
        if not args.quick:
            many = measure(archives)
            results.append((f"{len(archives)} uploads at once", many))
        if not (args.quick or args.no_http):
            results += served(folder, args.concurrent)

    print(row("", "extra RSS MiB", "seconds", "x ref time", "statuses"))
    for name, figures in results:
        counts = Counter(figures["statuses"])
        statuses = " ".join(f"{n}x{s}" for s, n in sorted(counts.items()))
        print(
            row(
                name,
                f"{figures['extra_kib'] / 1024:.0f}",
                f"{figures['seconds']:.2f}",
                f"{figures['seconds'] / reference['seconds']:.1f}",
                statuses if "upload" in name else "-",
            )
        )
    if not one["peak_reset"]:
        print("(the peak could not be reset: figures are peaks since the process started)")
    ok = one["extra_kib"] / 1024 <= TARGET_MIB and one["statuses"] == [201]
    print(f"target: one upload at most {TARGET_MIB} MiB extra: {'PASS' if ok else 'MISS'}")
    if not args.quick:
        slots = getattr(DEFAULT_LIMITS, "max_concurrent_validations", len(archives))
        budget = TARGET_MIB * min(slots, len(archives))
        ok = many["extra_kib"] / 1024 <= budget
        print(
            f"target: {len(archives)} at once in one process at most {budget} MiB extra "
            f"({min(slots, len(archives))} checked at a time): {'PASS' if ok else 'MISS'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
