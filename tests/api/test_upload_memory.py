"""An upload costs a fixed amount of memory, however much its archive unpacks to.

The worst pack the default limits allow (a small zip of about 190 MiB of text, tests/worstcase.py)
is uploaded through the app in a process of its own, which reports how far its resident memory
rose above what it was before the upload. Before uploads were streamed it rose by over 400 MiB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.worstcase import write_worst_case_tar_gz, write_worst_case_zip

ROOT = Path(__file__).resolve().parent.parent.parent
BUDGET_MIB = 64  # extra resident memory one upload may take (issue 7)


def run_uploads(archives: list[Path]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMSREG_")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.worstcase", *map(str, archives)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "write"),
    [("worst.zip", write_worst_case_zip), ("worst.tar.gz", write_worst_case_tar_gz)],
    ids=["zip", "tar.gz"],
)
def test_worst_case_upload_stays_within_the_memory_budget(tmp_path: Path, name, write) -> None:
    archive = tmp_path / name
    unpacked = write(archive)
    assert archive.stat().st_size < 2 * 1024 * 1024 and unpacked > 180 * 1024 * 1024
    figures = run_uploads([archive])
    assert figures["statuses"] == [201]  # read, scanned and stored, not refused
    assert figures["extra_kib"] <= BUDGET_MIB * 1024, (
        f"one upload took {figures['extra_kib'] / 1024:.0f} MiB more memory; "
        f"the budget is {BUDGET_MIB} MiB"
    )
