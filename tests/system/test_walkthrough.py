"""The README's "Try the registry" walkthrough, run verbatim against a real `cmsreg-server serve`.

The shell block is taken from README.md as it stands and run twice with bash (the README promises
that it can be): every `cmsreg` command must exit 0 (`set -e`). The only change is the port; the
server serves a seeded instance in `instance/` beside a `.venv` that is this interpreter's
environment, exactly the layout `make run` leaves in a clone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.system.conftest import Instance, Server

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.slow


def walkthrough() -> str:
    """The first shell block under "## Try the registry"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Try the registry", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_readme_walkthrough_runs_twice(tmp_path: Path):
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    inst = Instance(clone / "instance", f"sqlite:///{clone / 'instance' / 'cmsreg.db'}")
    inst.env.pop("CMSREG_DATABASE_URL")  # the embedded default, as `make run` has it
    inst.command("init")
    inst.command("seed")
    server = Server(inst, tmp_path / "server.log").start()
    try:
        script = walkthrough().replace("http://127.0.0.1:5000", server.url)
        env = {k: v for k, v in inst.env.items() if k != "CMSREG_INSTANCE"}
        env |= {"CMSREG_CONFIG": str(tmp_path / "user-config" / "config.json"), "COLUMNS": "80"}
        for run in (1, 2):
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", script],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"run {run}:\n{done.stdout}\n{done.stderr}"
            out = done.stdout
            assert "sha256:" in out and "verified" in out.lower(), out
            assert re.search(r"Submission \d+", out) or "submission" in out.lower(), out
        # Two runs published two packs, each with 1.0.0 public and 1.1.0 yanked.
        found = httpx.get(f"{server.url}/api/v1/publishers/barnsley").json()
        assert len(found["packs"]) == 2, found
        for pack in found["packs"]:
            detail = httpx.get(f"{server.url}/api/v1/packs/barnsley/{pack['name']}").json()
            assert detail["latest"] == "1.0.0", detail
        # Nothing was written into the clone but the instance the server owns.
        assert sorted(p.name for p in clone.iterdir()) == [".venv", "instance"]
    finally:
        server.stop()
        inst.close()
    assert os.stat(tmp_path / "user-config" / "config.json").st_mode & 0o077 == 0
