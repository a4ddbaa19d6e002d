"""Benchmark the memory and time of the worst upload the default limits allow.

    .venv/bin/python bench/upload.py [--concurrent 8] [--quick]

The pack (tests/worstcase.py) is a small zip that unpacks to about 190 MiB of configuration
text in 2,000 files, at the default limits, with nothing a scan would block, so it goes through
reading, scanning and storing in git. Each measurement runs in a fresh process: a registry on a
temporary instance (SQLite) is warmed up with a small upload, then the uploads are POSTed
through the Flask test client, one thread each, and the process's resident memory is read
before and at its peak (/proc/self/status, with the peak reset first).

The reference reads the same archive's bytes and inflates every member, throwing the output
away: the least any upload must do. Targets: one upload raises resident memory by at most
64 MiB; `--concurrent` uploads at once by at most that per validation slot (a process checks
at most `Limits.max_concurrent_validations` uploads at a time; the others wait, or are told
503 to retry if they wait too long).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/worstcase.py builds and measures the uploads

from registry.packs.limits import DEFAULT_LIMITS, MiB  # noqa: E402
from tests.worstcase import write_worst_case_zip  # noqa: E402

TARGET_MIB = 64


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


def row(name: str, *cells: str) -> str:
    """One table row."""
    return f"{name:<34}" + "".join(f"{c:>14}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    """Build the archives, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="one upload only")
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
            f"files; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        reference = measure(archives[:1], reference=True)
        one = measure(archives[:1])
        results = [("reference: read + inflate", reference), ("one upload", one)]
        if not args.quick:
            many = measure(archives)
            results.append((f"{len(archives)} uploads at once", many))

    print(row("", "extra RSS MiB", "seconds", "x ref time", "statuses"))
    for name, figures in results:
        counts = Counter(figures["statuses"])
        statuses = (
            " ".join(f"{n}x{s}" for s, n in sorted(counts.items())) if "upload" in name else "-"
        )
        print(
            row(
                name,
                f"{figures['extra_kib'] / 1024:.0f}",
                f"{figures['seconds']:.2f}",
                f"{figures['seconds'] / reference['seconds']:.1f}",
                statuses,
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
            f"target: {len(archives)} at once at most {budget} MiB extra "
            f"({min(slots, len(archives))} checked at a time): {'PASS' if ok else 'MISS'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
