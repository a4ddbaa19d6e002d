"""Separation of duties and honest signals (SPEC §4): who may approve what, what a moderator is
told, how downloads are counted, when a version number is taken, and upload rate limits."""

from __future__ import annotations

import pytest

from registry import create_app
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"


@pytest.fixture
def people(accounts):
    return {
        "publisher": accounts.token("herts-publisher", "hertfordshire"),
        "moderator": accounts.token("alex", "lcs-ug", ("moderate",), moderates=("system-c",)),
        "olm-moderator": accounts.token("olm-mod", "olm-ug", ("moderate",), moderates=("olm",)),
    }


def submit(client, token: str, **changes) -> dict:
    r = upload(client, token, pack_files(depends=..., **changes))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def approve(client, token: str, sid: int, **body):
    return client.post(f"/api/v1/submissions/{sid}/approve", json=body, headers=auth(token))


def test_no_one_approves_a_submission_of_their_own_organisation(client, accounts, people):
    # A Hertfordshire systems officer who also moderates LCS packs for the user group.
    both = accounts.token("herts-lead", "hertfordshire", ("publish", "moderate"), ("system-c",))
    sid = submit(client, people["publisher"])["id"]
    r = approve(client, both, sid)
    assert r.status_code == 403
    assert "own organisation (hertfordshire)" in r.get_json()["message"]
    assert "another system-c moderator" in r.get_json()["message"]
    # They may still see it, and another moderator approves it.
    assert client.get(f"/api/v1/submissions/{sid}", headers=auth(both)).status_code == 200
    assert approve(client, people["moderator"], sid).status_code == 200


def test_a_new_version_that_changes_supplier_is_flagged_to_the_moderator(client, people):
    first = submit(client, people["publisher"], version="1.0.0")["id"]
    assert approve(client, people["moderator"], first).status_code == 200
    # The council moves from LCS to Eclipse: the pack moves to the OLM user group.
    moved = submit(
        client,
        people["publisher"],
        version="2.0.0",
        supplier="olm",
        products=[{"id": "eclipse", "versions": ">=1.0"}],
    )
    assert moved["checks"]["flags"] == [
        {
            "id": "supplier-change",
            "severity": "warn",
            "message": moved["checks"]["flags"][0]["message"],
        }
    ]
    assert "from system-c to olm" in moved["checks"]["flags"][0]["message"]
    # The old group no longer moderates it; the new one must acknowledge the move.
    assert approve(client, people["moderator"], moved["id"]).status_code == 404
    r = approve(client, people["olm-moderator"], moved["id"])
    assert r.status_code == 422
    assert "supplier-change" in r.get_json()["message"]
    assert "moves from system-c to olm" in r.get_json()["message"]
    r = approve(client, people["olm-moderator"], moved["id"], acknowledge=["supplier-change"])
    assert r.status_code == 200, r.get_json()
    reviews = r.get_json()["reviews"]
    assert reviews[-1]["acknowledged"] == ["supplier-change"]


def test_a_version_unchanged_in_supplier_carries_no_flag(client, people):
    first = submit(client, people["publisher"], version="1.0.0")["id"]
    assert approve(client, people["moderator"], first).status_code == 200
    assert "flags" not in submit(client, people["publisher"], version="1.1.0")["checks"]


@pytest.mark.parametrize("first_state", ["pending", "approved"])
def test_build_metadata_does_not_make_a_new_version(client, people, first_state):
    sid = submit(client, people["publisher"], version="1.0.0")["id"]
    if first_state == "approved":
        assert approve(client, people["moderator"], sid).status_code == 200
    r = upload(client, people["publisher"], pack_files(depends=..., version="1.0.0+lcs.2024"))
    assert r.status_code == 409, r.get_json()
    word = "approved" if first_state == "approved" else "waiting for review"
    assert word in r.get_json()["message"]


def test_head_is_not_a_download_and_a_client_repeating_counts_once(client, people):
    sid = submit(client, people["publisher"])["id"]
    assert approve(client, people["moderator"], sid).status_code == 200
    url = f"{PACK}/versions/1.2.0/download?format=zip"

    def downloads() -> int:
        return client.get(PACK).get_json()["downloads"]

    assert client.head(url).status_code == 200
    assert downloads() == 0
    for _ in range(3):
        assert client.get(url, headers={"User-Agent": "curl/8.5"}).status_code == 200
    assert downloads() == 1
    # Another client (here, another user agent at the same address) counts on its own.
    assert client.get(url, headers={"User-Agent": "cmsreg/0.2"}).status_code == 200
    assert client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert downloads() == 3


def test_uploads_per_organisation_are_rate_limited(tmp_path, database_url):
    app = create_app(
        {
            "INSTANCE": str(tmp_path / "limited"),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": True,
            "UPLOADS_PER_HOUR": 2,
        }
    )
    reg = app.extensions["cmsreg"]
    reg.init()
    try:
        from tests.conftest import Accounts

        people = Accounts(reg)
        herts = people.token("herts-publisher", "hertfordshire")
        kent = people.token("kent-publisher", "kent")
        client = app.test_client()
        for version in ("1.0.0", "1.1.0"):
            assert (
                upload(client, herts, pack_files(depends=..., version=version)).status_code == 201
            )
        r = upload(client, herts, pack_files(depends=..., version="1.2.0"))
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 3000
        assert "hertfordshire has uploaded 2 packs in the last hour" in r.get_json()["message"]
        # Other councils are not affected.
        r = upload(client, kent, pack_files(depends=..., publisher="kent", version="1.0.0"))
        assert r.status_code == 201, r.get_json()
    finally:
        reg.close()


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_client_behind_a_proxy_is_believed_only_when_configured(
    tmp_path, database_url, proxies
):
    """Behind nginx every request comes from 127.0.0.1: X-Forwarded-For names the client, but
    only when the operator says a proxy is there (else anyone could claim any address)."""
    from tests.conftest import Accounts

    app = create_app(
        {
            "INSTANCE": str(tmp_path / "proxied"),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": False,
            "TRUSTED_PROXIES": proxies,
        }
    )
    reg = app.extensions["cmsreg"]
    reg.init()
    try:
        people = Accounts(reg)
        pub = people.token("herts-publisher", "hertfordshire")
        mod = people.token("alex", "lcs-ug", ("moderate",), moderates=("system-c",))
        client = app.test_client()
        sid = submit(client, pub)["id"]
        assert approve(client, mod, sid).status_code == 200
        url = f"{PACK}/versions/1.2.0/download?format=zip"
        for address in ("198.51.100.1", "198.51.100.2"):
            r = client.get(url, headers={"X-Forwarded-For": address, "User-Agent": "curl/8.5"})
            assert r.status_code == 200
        assert client.get(PACK).get_json()["downloads"] == (2 if proxies else 1)
    finally:
        reg.close()
