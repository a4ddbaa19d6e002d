"""SIGKILL the whole server (master and workers) at a random moment of a run of approvals.

Wherever the kill lands (inside git's ref transaction, between the tag and the database commit,
inside a SQLite or PostgreSQL transaction, while the search index is written), a restart and
`cmsreg-server check --repair` must leave git, database and index in agreement, and every
version the API lists must download with the SHA-256 it advertises. The moments come from a
seeded generator: set CMSREG_TEST_SEED to replay a failure.
"""

from __future__ import annotations

import os
import random
import threading

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
KILL_AFTER = (0.2, 1.5)  # seconds after the server answers, drawn from the seeded generator


def test_sigkill_during_approvals_is_mended_by_check_repair(instance, tokens, server):
    rng = random.Random(SEED)
    approved: set[tuple[str, str]] = set()  # versions whose approval was answered 200
    cycle = 0
    server.start()
    for round_ in range(ROUNDS):
        delay = rng.uniform(*KILL_AFTER)
        killer = threading.Timer(delay, server.kill)
        killer.start()
        where = f"seed {SEED}, round {round_}, kill after {delay:.3f}s"
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
        finally:
            killer.join()
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
    assert approved, "no approval finished before the kills; raise KILL_AFTER"
