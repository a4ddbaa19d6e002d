"""SIGKILL the whole server (master and workers) at a counted moment of a run of approvals.

Each round, the server is started with a crash point and a count drawn from a seeded generator
(registry/services/faults.py, scope `server`): at that arrival of that point — between a
submission's git ref and its commit, after an approval's claim, after its tag, before its
database commit — the worker kills its whole process group. Counted, not timed, so a seed
replays the same kills on any machine (set CMSREG_TEST_SEED to replay a failure). A restart
and `cmsreg-server check --repair` must then leave git, database and index in agreement, and
every version the API lists must download with the SHA-256 it advertises.
"""

from __future__ import annotations

import os
import random

import httpx
import pytest

from tests.system.conftest import (
    approve,
    assert_downloads_match,
    listed_versions,
    small_pack,
    submit,
)

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("CMSREG_TEST_SEED", "1729"))
ROUNDS = 3
PACKS = 4  # packs published in turn, each with rising versions: new packs and updates of main
MAX_CYCLES = 60  # per round; the kill comes long before
POINTS = (
    "submit-before-commit",
    "approve-after-claim",
    "approve-after-tag",
    "approve-before-commit",
)
ARRIVALS = (1, 8)  # the kill comes at this arrival of the point, drawn from the generator


def test_sigkill_during_approvals_is_mended_by_check_repair(instance, tokens, server, tmp_path):
    rng = random.Random(SEED)
    approved: set[tuple[str, str]] = set()  # versions whose approval was answered 200
    cycle = 0
    for round_ in range(ROUNDS):
        point, nth = rng.choice(POINTS), rng.randint(*ARRIVALS)
        server.start(
            CMSREG_CRASH_POINT=f"{point}@{nth}",
            CMSREG_CRASH_COUNTER=str(tmp_path / f"arrivals-{round_}"),
            CMSREG_CRASH_SCOPE="server",
        )
        where = f"seed {SEED}, round {round_}, killed at arrival {nth} of {point}"
        try:
            with (
                server.client(tokens.publisher) as pub,
                server.client(tokens.moderator) as mod,
            ):
                for _ in range(MAX_CYCLES):
                    name, version = f"pack-{cycle % PACKS}", f"1.{cycle // PACKS}.0"
                    cycle += 1
                    r = submit(pub, small_pack(name, version))
                    assert r.status_code == 201, f"{where}: {r.text}"
                    r = approve(mod, r.json()["id"])
                    assert r.status_code == 200, f"{where}: {r.text}"
                    approved.add((name, version))
        except httpx.TransportError:
            pass  # the kill
        else:
            pytest.fail(f"{where}: the server was never killed")
        server.kill()  # reap what the kill left (the processes are gone already)
        server.start()
        repair = instance.check("--repair")
        assert repair.returncode == 0, f"{where}:\n{repair.stdout}{repair.stderr}"
        check = instance.check()
        assert check.returncode == 0, f"{where}:\n{check.stdout}{check.stderr}"
        instance.fsck()
        with server.client() as client:
            listed = listed_versions(client)
            assert approved <= set(listed), f"{where}: an answered approval was lost"
            for name, version in listed:
                assert_downloads_match(client, name, version)
        server.stop()
    assert approved, "no approval finished before the kills; raise ARRIVALS"
