"""The order of an upload's checks, and what a busy registry answers.

A version the registry already holds answers 409 from its manifest, before any file is scanned:
a second upload whose files would be refused by the scan (a blocking NHS number) still answers
409, not 422. A worker whose validation slots are all taken answers 503, stores nothing, and
takes the same upload once a slot is free.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace

from registry.packs.slots import validation_slot
from tests.api.test_flow import publish_and_approve
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

NHS = b"code,description\nCP1,Child 943 476 5919 open\n"  # a blocking finding
SUBMISSIONS = "/api/v1/submissions"


def test_pending_version_sent_again_is_409_before_its_files_are_scanned(client, accounts) -> None:
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    assert upload(client, pub, pack_files(depends=...)).status_code == 201
    # The same version again, now with files the scan would refuse: the scan never runs.
    again = pack_files(depends=...) | {"config/children.csv": NHS * 1000}
    r = upload(client, pub, again)
    assert r.status_code == 409, r.get_json()
    assert "already waiting for review" in r.get_json()["message"]
    assert "findings" not in (r.get_json().get("errors") or {})
    assert len(client.get(SUBMISSIONS, headers=auth(pub)).get_json()) == 1


def test_approved_version_sent_again_is_409_before_its_files_are_scanned(client, accounts) -> None:
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    publish_and_approve(client, pub, mod, pack_files(depends=...))
    r = upload(client, pub, pack_files(depends=...) | {"config/children.csv": NHS})
    assert r.status_code == 409, r.get_json()
    assert "already approved" in r.get_json()["message"]


def test_new_version_with_a_blocking_finding_is_still_scanned_and_refused(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    assert upload(client, pub, pack_files(depends=...)).status_code == 201
    r = upload(client, pub, pack_files(depends=..., version="1.3.0") | {"config/c.csv": NHS})
    assert r.status_code == 422
    assert [f["rule"] for f in r.get_json()["errors"]["findings"]] == ["nhs-number"]


def test_pending_version_of_another_organisation_is_not_revealed(client, accounts) -> None:
    herts = accounts.token("herts-admin", "hertfordshire", ("publish",))
    other = accounts.token("cornwall-admin", "cornwall", ("publish",))
    assert upload(client, herts, pack_files(depends=...)).status_code == 201
    r = upload(client, other, pack_files(depends=...))
    assert r.status_code == 403  # as for any pack of another publisher: not 409


def test_busy_worker_answers_503_and_stores_nothing(app, client, accounts) -> None:
    reg = app.extensions["cmsreg"]
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    # A registry whose uploads wait no time at all for a slot, with every slot taken.
    reg.limits = replace(reg.limits, validation_wait_seconds=0)
    with ExitStack() as taken:
        for _ in range(reg.limits.max_concurrent_validations):
            taken.enter_context(validation_slot(reg.limits))
        r = upload(client, pub, pack_files(depends=...))
        assert r.status_code == 503, r.get_json()
        assert "busy" in r.get_json()["message"] and "again" in r.get_json()["message"]
        assert client.get(SUBMISSIONS, headers=auth(pub)).get_json() == []
        assert reg.store.submissions() == []
    assert upload(client, pub, pack_files(depends=...)).status_code == 201
