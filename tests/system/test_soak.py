"""Soak: eight moderators decide the same thirty submissions at random while the server dies.

Against a real `cmsreg-server serve`: eight threads, each a moderator of the LCS user group
(and, for withdrawals, the publisher), approve, reject and withdraw submissions picked at random
(seeded). Each round starts the server with a crash point that ends a worker at its third arrival
(counted across workers, so the crash lands on the same event whatever the machine's speed),
and the whole server is killed with SIGKILL once the round has had its count of answers. Then
`check --repair` runs, and the next round begins. At the end:

- every public version has a standing approval: its submission is approved, by one approve
  review, and the audit log has no reject or withdraw for it;
- nothing refused is anywhere: no tag, ref or (after `gc`) object of a rejected or withdrawn
  submission in git, and the index holds only approved versions (`check` compares it);
- `check` exits 0, and no answer was a 5xx.
"""

from __future__ import annotations

import random
import subprocess
import threading
from collections import Counter

import httpx
import pytest

from tests.system.conftest import COMMAND_TIMEOUT, PUBLISHER, small_pack, submit

pytestmark = pytest.mark.slow

SEED = 20261205
MODERATORS = 8
SUBMISSIONS = 20  # ten packs, two versions each
ANSWERS_PER_ROUND = 24  # the whole server is killed after this many answers
CRASH_POINTS = (
    "approve-after-claim",
    "approve-after-tag",
    "approve-before-commit",
    "reject-before-commit",
    "withdraw-before-commit",
)
MAX_ROUNDS = 20
FINAL = {"approved", "rejected", "withdrawn"}


def _marker(i: int) -> str:
    return f" soak-{i}"


def _files(i: int) -> dict[str, bytes]:
    name, version = f"soak-{i % 10}", f"1.{i // 10}.0"
    return small_pack(name, version, extra=_marker(i))


def _moderators(instance, count: int) -> list[str]:
    """count moderators of System C in the LCS user group, made by the operator commands."""
    names = [f"soak-moderator-{i}" for i in range(count)]
    instance.commands(*[("create-user", n, "--org", "lcs-user-group") for n in names])
    instance.commands(*[("set-moderator", n, "system-c") for n in names])
    outputs = instance.commands(*[("create-token", n, "--scope", "moderate") for n in names])
    return [out.strip().splitlines()[-1] for out in outputs]


class Soak:
    """What the moderators did, and what the server answered."""

    def __init__(self, server, publisher: str, moderators: list[str], ids: list[int]):
        self.server, self.publisher, self.moderators, self.ids = server, publisher, moderators, ids
        self.statuses: Counter[int] = Counter()
        self.actions: Counter[str] = Counter()
        self.no_answer = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.answers = 0
        self.enough = threading.Event()

    def round(self, seed: int, undecided: list[int]) -> None:
        """Eight moderators act on the undecided submissions (and a few decided ones, which
        must answer 409) until the round has its answers."""
        rng = random.Random(seed)
        decided = [sid for sid in self.ids if sid not in undecided]
        self.targets = undecided + rng.sample(decided, min(3, len(decided)))
        self.answers = 0
        self.enough.clear()
        threads = [
            threading.Thread(target=self._moderate, args=(token, random.Random(seed * 100 + i)))
            for i, token in enumerate(self.moderators)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=COMMAND_TIMEOUT)

    def _moderate(self, token: str, rng: random.Random) -> None:
        with (
            httpx.Client(base_url=self.server.url, timeout=30) as client,
        ):
            while not self.enough.is_set():
                sid = rng.choice(self.targets)
                verb = rng.choice(("approve", "approve", "reject", "withdraw"))
                who = self.publisher if verb == "withdraw" else token
                body = {"reason": "Soak: not this one"} if verb == "reject" else {}
                try:
                    r = client.post(
                        f"/api/v1/submissions/{sid}/{verb}",
                        json=body,
                        headers={"Authorization": f"Bearer {who}"},
                    )
                except (httpx.TransportError, httpx.RemoteProtocolError):
                    with self.lock:
                        self.no_answer += 1
                    if self.server.proc is None:
                        return
                    continue
                with self.lock:
                    self.statuses[r.status_code] += 1
                    self.actions[f"{verb} {r.status_code}"] += 1
                    if r.status_code >= 500:
                        self.errors.append(f"{verb} {sid}: {r.status_code} {r.text[:300]}")
                    self.answers += 1
                    if self.answers >= ANSWERS_PER_ROUND:
                        self.enough.set()


@pytest.mark.parametrize("seed", [SEED])
def test_decisions_stand_through_races_and_kills(instance, tokens, server, tmp_path, seed):
    moderators = _moderators(instance, MODERATORS)
    server.start()
    ids = []
    with server.client(tokens.publisher) as client:
        for i in range(SUBMISSIONS):
            r = submit(client, _files(i))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    server.kill()
    soak = Soak(server, tokens.publisher, moderators, ids)
    repairs = kills = 0
    for round_no in range(MAX_ROUNDS):
        point = CRASH_POINTS[round_no % len(CRASH_POINTS)]
        server.start(
            CMSREG_CRASH_POINT=f"{point}@3",
            CMSREG_CRASH_COUNTER=str(tmp_path / f"arrivals-{round_no}"),
        )
        killer = threading.Thread(target=lambda: (soak.enough.wait(COMMAND_TIMEOUT), server.kill()))
        killer.start()
        states = dict(instance.sql("SELECT id, status FROM submissions"))
        soak.round(seed + round_no, [sid for sid in ids if states[sid] not in FINAL])
        killer.join(timeout=COMMAND_TIMEOUT)
        server.kill()
        kills += 1
        repair = instance.check("--repair")
        assert repair.returncode == 0, repair.stdout + repair.stderr
        repairs += sum(1 for line in repair.stdout.splitlines() if line.startswith("repaired:"))
        states = dict(instance.sql("SELECT id, status FROM submissions"))
        if all(states[sid] in FINAL for sid in ids):
            break

    assert soak.errors == [], soak.errors
    states = dict(instance.sql("SELECT id, status FROM submissions"))
    assert all(states[sid] in FINAL for sid in ids), Counter(states.values())
    final = instance.check()
    assert final.returncode == 0, final.stdout + final.stderr

    # Every public version has a standing approval.
    public = instance.sql(
        "SELECT p.name, v.version, v.submission_id FROM versions v JOIN packs p ON p.id = v.pack_id"
    )
    for name, version, sid in public:
        assert states[sid] == "approved", (name, version, sid)
        reviews = instance.sql("SELECT decision FROM reviews WHERE submission_id = :s", s=sid)
        assert reviews == [("approve",)], (sid, reviews)
        refused = instance.sql(
            "SELECT action FROM audit_log WHERE action IN ('reject', 'withdraw') AND target = :t",
            t=f"{PUBLISHER}/{name}@{version}",
        )
        assert refused == [], (sid, refused)
    approved = {sid for sid in ids if states[sid] == "approved"}
    assert {sid for _, _, sid in public} == approved

    # Nothing refused is anywhere in git: no tag, no ref, and after gc no object.
    instance.command("gc")
    tags = set(instance.refs("refs/tags/"))
    assert instance.refs("refs/submissions/") == []
    for i, sid in enumerate(ids):
        files = _files(i)
        name, version = f"soak-{i % 10}", f"1.{i // 10}.0"
        tag = f"refs/tags/{PUBLISHER}/{name}/v{version}"
        assert (tag in tags) is (sid in approved), (sid, states[sid])
        oid = (
            subprocess.run(
                ["git", "hash-object", "--stdin"],
                input=files["config/steps.xml"],
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .strip()
        )
        present = (
            subprocess.run(
                ["git", f"--git-dir={instance.repo}", "cat-file", "-e", oid], capture_output=True
            ).returncode
            == 0
        )
        assert present is (sid in approved), (sid, states[sid])
    instance.fsck()

    counts = Counter(states[sid] for sid in ids)
    print(
        f"\nsoak ({instance.database_url.split(':')[0]}): {SUBMISSIONS} submissions, "
        f"{MODERATORS} moderators, {kills} kills, {repairs} repairs; "
        f"answers {dict(sorted(soak.statuses.items()))}, {soak.no_answer} without answer; "
        f"final {dict(sorted(counts.items()))}; "
        f"by action {dict(sorted(soak.actions.items()))}"
    )
