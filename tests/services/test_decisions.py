"""Decisions stand: a second person acting between the steps of a state change loses with a 409.

Each race is made deterministic with the services' test hook (registry/services/faults.py): the
second person's request is sent exactly between the first one's check and its write. Before
the conditional updates, each of these let both requests answer 200 — an approval overwrote a
reject and published it, two revocations audited twice — or failed with a 500.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from registry.db.models import AuditEvent, Pack, Review, Submission, Version
from registry.services import faults
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"


@pytest.fixture
def people(accounts):
    """A publisher of Hertfordshire and two moderators of the LCS user group."""
    return {
        "publisher": accounts.token("herts-publisher", "hertfordshire"),
        "alex": accounts.token("alex", "lcs-ug", ("moderate",), moderates=("system-c",)),
        "blake": accounts.token("blake", "lcs-ug", ("moderate",), moderates=("system-c",)),
    }


def submit(client, token: str, version: str = "1.2.0") -> int:
    r = upload(client, token, pack_files(depends=..., version=version))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def post(client, path: str, token: str, body: dict | None = None):
    return client.post(path, json=body or {}, headers=auth(token))


class SecondPerson:
    """A second person's request, sent from the hook on its own thread (its own request
    context, as another browser's would be); only the first arrival sends it, since the second
    person's request reaches the same point itself."""

    def __init__(self, action, *, wait: bool = True):
        self.action, self.wait = action, wait
        self.answers: list = []
        self.thread: threading.Thread | None = None

    def __call__(self) -> None:
        if self.thread is not None:
            return
        self.thread = threading.Thread(target=lambda: self.answers.append(self.action()))
        self.thread.start()
        if self.wait:  # the first request holds no database lock here: let the second finish
            self.thread.join(timeout=60)

    def answer(self):
        """The second person's response, once their request has finished."""
        assert self.thread is not None, "the hook was never reached"
        self.thread.join(timeout=60)
        (response,) = self.answers
        return response


def audit_actions(reg) -> list[tuple[str, str]]:
    with reg.db.session() as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)
        ).all()
    return [(a, b) for a, b in rows if b in {"approve", "reject", "withdraw", "yank", "unyank"}]


def status_of(reg, sid: int) -> str:
    with reg.db.session() as session:
        return session.get(Submission, sid).status


def tags(reg) -> list[str]:
    return sorted(t.tag for t in reg.store.all_tags())


def test_a_reject_sent_during_an_approval_answers_409_and_the_approval_stands(client, reg, people):
    sid = submit(client, people["publisher"])
    blake = SecondPerson(
        lambda: post(client, f"/api/v1/submissions/{sid}/reject", people["blake"], {"reason": "No"})
    )
    with faults.between("approve-after-claim", blake):
        approved = post(client, f"/api/v1/submissions/{sid}/approve", people["alex"])
    assert approved.status_code == 200, approved.get_json()
    rejected = blake.answer()
    assert rejected.status_code == 409
    assert "a moderator is approving it right now" in rejected.get_json()["message"]
    detail = client.get(f"/api/v1/submissions/{sid}", headers=auth(people["publisher"])).get_json()
    assert detail["status"] == "approved" and detail["reason"] is None
    assert [r["decision"] for r in detail["reviews"]] == ["approve"]
    assert audit_actions(reg) == [("alex", "approve")]


def test_a_withdraw_sent_during_an_approval_answers_409(client, reg, people):
    sid = submit(client, people["publisher"])
    publisher = SecondPerson(
        lambda: post(client, f"/api/v1/submissions/{sid}/withdraw", people["publisher"])
    )
    with faults.between("approve-after-tag", publisher):
        assert post(client, f"/api/v1/submissions/{sid}/approve", people["alex"]).status_code == 200
    assert publisher.answer().status_code == 409
    assert status_of(reg, sid) == "approved"
    assert client.get(f"{PACK}/versions/1.2.0").status_code == 200
    assert audit_actions(reg) == [("alex", "approve")]


def test_an_approval_sent_after_a_reject_answers_409_and_publishes_nothing(client, reg, people):
    sid = submit(client, people["publisher"])
    r = post(client, f"/api/v1/submissions/{sid}/reject", people["blake"], {"reason": "No"})
    assert r.status_code == 200
    r = post(client, f"/api/v1/submissions/{sid}/approve", people["alex"])
    assert r.status_code == 409
    assert "it has been rejected" in r.get_json()["message"]
    assert tags(reg) == [] and client.get(PACK).status_code == 404
    assert audit_actions(reg) == [("blake", "reject")]


def test_two_approvals_of_one_submission_make_one_version(client, reg, people):
    sid = submit(client, people["publisher"])
    blake = SecondPerson(
        lambda: post(client, f"/api/v1/submissions/{sid}/approve", people["blake"])
    )
    with faults.between("approve-after-claim", blake):
        first = post(client, f"/api/v1/submissions/{sid}/approve", people["alex"])
    assert first.status_code == 200
    assert blake.answer().status_code == 409
    assert tags(reg) == ["refs/tags/hertfordshire/family-safeguarding-cp-workflow/v1.2.0"]
    with reg.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 1
        assert session.scalar(select(func.count()).select_from(Review)) == 1
    assert audit_actions(reg) == [("alex", "approve")]


def test_two_first_approvals_of_a_new_pack_at_once_make_one_pack(client, reg, people):
    """The second approval creates the pack while the first is between git and the database."""
    first = submit(client, people["publisher"], "1.0.0")
    second = submit(client, people["publisher"], "1.1.0")
    blake = SecondPerson(
        lambda: post(client, f"/api/v1/submissions/{second}/approve", people["blake"])
    )
    with faults.between("approve-after-tag", blake):
        r = post(client, f"/api/v1/submissions/{first}/approve", people["alex"])
    assert r.status_code == 200, r.get_json()
    assert blake.answer().status_code == 200
    with reg.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Pack)) == 1
        assert sorted(session.scalars(select(Version.version))) == ["1.0.0", "1.1.0"]
    assert client.get(PACK).get_json()["latest"] == "1.1.0"


def test_a_reject_sent_during_a_withdraw_answers_409(client, reg, people):
    """The withdraw has written but not committed; the reject must wait for it, then lose."""
    sid = submit(client, people["publisher"])
    alex = SecondPerson(
        lambda: post(client, f"/api/v1/submissions/{sid}/reject", people["alex"], {"reason": "No"}),
        wait=False,  # the withdraw holds its write until it commits: the reject waits for it
    )
    with faults.between("withdraw-before-commit", alex):
        r = post(client, f"/api/v1/submissions/{sid}/withdraw", people["publisher"])
    assert r.status_code == 200
    rejected = alex.answer()
    assert rejected.status_code == 409, rejected.get_json()
    assert "it has been withdrawn" in rejected.get_json()["message"]
    assert status_of(reg, sid) == "withdrawn"
    assert audit_actions(reg) == [("herts-publisher", "withdraw")]


@pytest.mark.parametrize("verb", ["yank", "unyank"])
def test_two_yanks_at_once_audit_one(client, reg, people, verb):
    sid = submit(client, people["publisher"])
    assert post(client, f"/api/v1/submissions/{sid}/approve", people["alex"]).status_code == 200
    path = f"{PACK}/versions/1.2.0"
    if verb == "unyank":
        assert post(client, f"{path}/yank", people["alex"], {"reason": "Wrong"}).status_code == 200
    blake = SecondPerson(lambda: post(client, f"{path}/{verb}", people["blake"], {"reason": "Why"}))
    with faults.between(f"{verb}-before-write", blake):
        r = post(client, f"{path}/{verb}", people["publisher"], {"reason": "Because"})
    assert blake.answer().status_code == 200
    assert r.status_code == 409
    assert [a for a in audit_actions(reg) if a[1] == verb] == [("blake", verb)]


def test_two_revocations_at_once_audit_one(reg, accounts):
    from registry.services import accounts as account_service

    token = accounts.token("leaver", "hertfordshire")

    second = SecondPerson(lambda: account_service.revoke_token(reg, token, actor="second-admin"))
    with faults.between("revoke-before-write", second):
        account_service.revoke_token(reg, token, actor="first-admin")
    with reg.db.session() as session:
        events = session.execute(
            select(AuditEvent.actor).where(AuditEvent.action == "token-revoked")
        ).all()
    assert [e[0] for e in events] == ["second-admin"]
