"""The review queue: who sees which submissions, newest first, filtered and a page at a time."""

from __future__ import annotations

import pytest

from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

QUEUE = "/api/v1/submissions"


@pytest.fixture
def queue_world(client, accounts):
    """Hertfordshire submits four LCS versions and one Mosaic pack; Kent submits one LCS pack."""
    herts = accounts.token("herts-publisher", "hertfordshire")
    kent = accounts.token("kent-publisher", "kent")
    tokens = {
        "herts": herts,
        "kent": kent,
        "lcs": accounts.token("lcs-mod", "lcs-ug", ("moderate",), ("system-c",)),
        "mosaic": accounts.token("mosaic-mod", "mosaic-ug", ("moderate",), ("access-group",)),
        "admin-moderator": accounts.token("root", None, ("admin", "moderate")),
        "admin-only": accounts.token("root2", None, ("admin",)),
    }
    ids = {}
    for minor in range(4):
        r = upload(client, herts, pack_files(depends=..., version=f"1.{minor}.0"))
        assert r.status_code == 201, r.get_json()
        ids[f"herts-1.{minor}.0"] = r.get_json()["id"]
    mosaic = pack_files(
        depends=...,
        name="mosaic-forms",
        supplier="access-group",
        products=[{"id": "mosaic", "versions": ">=2.0"}],
    )
    ids["herts-mosaic"] = upload(client, herts, mosaic).get_json()["id"]
    r = upload(client, kent, pack_files(depends=..., publisher="kent", name="kent-flow"))
    ids["kent"] = r.get_json()["id"]
    r = client.post(
        f"{QUEUE}/{ids['herts-1.0.0']}/reject",
        json={"reason": "Steps missing"},
        headers=auth(tokens["lcs"]),
    )
    assert r.status_code == 200
    return tokens, ids


def listed(client, token: str, query: str = "") -> list[int]:
    r = client.get(f"{QUEUE}{query}", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return [s["id"] for s in r.get_json()]


def test_each_actor_sees_what_is_theirs_newest_first(client, queue_world):
    tokens, ids = queue_world
    herts = [ids[k] for k in ("herts-1.0.0", "herts-1.1.0", "herts-1.2.0", "herts-1.3.0")]
    assert listed(client, tokens["herts"]) == sorted([*herts, ids["herts-mosaic"]], reverse=True)
    assert listed(client, tokens["kent"]) == [ids["kent"]]
    assert listed(client, tokens["lcs"]) == sorted([*herts, ids["kent"]], reverse=True)
    assert listed(client, tokens["mosaic"]) == [ids["herts-mosaic"]]
    assert listed(client, tokens["admin-moderator"]) == sorted(ids.values(), reverse=True)
    assert client.get(QUEUE, headers=auth(tokens["admin-only"])).status_code == 403


def test_the_queue_filters_sorts_and_pages(client, queue_world):
    tokens, ids = queue_world
    lcs = tokens["lcs"]
    pending = listed(client, lcs, "?status=pending&sort=oldest")
    assert pending == [ids["herts-1.1.0"], ids["herts-1.2.0"], ids["herts-1.3.0"], ids["kent"]]
    assert listed(client, lcs, "?status=rejected") == [ids["herts-1.0.0"]]
    assert listed(client, tokens["herts"], "?supplier=access-group") == [ids["herts-mosaic"]]
    first = listed(client, lcs, "?status=pending&sort=oldest&per_page=3")
    second = listed(client, lcs, "?status=pending&sort=oldest&per_page=3&page=2")
    assert first + second == pending and len(first) == 3
    assert listed(client, lcs, "?page=9") == []


def test_the_queue_narrows_to_one_pack_or_version(client, queue_world):
    """publisher, name and version pick one pack's submissions, still only those you may see."""
    tokens, ids = queue_world
    lcs = tokens["lcs"]
    one = "?publisher=hertfordshire&name=family-safeguarding-cp-workflow"
    herts = [ids[k] for k in ("herts-1.0.0", "herts-1.1.0", "herts-1.2.0", "herts-1.3.0")]
    assert listed(client, lcs, one) == sorted(herts, reverse=True)
    assert listed(client, lcs, one + "&version=1.2.0") == [ids["herts-1.2.0"]]
    assert listed(client, lcs, "?publisher=kent") == [ids["kent"]]
    assert listed(client, tokens["mosaic"], one) == []  # not theirs to see
    assert listed(client, lcs, one + "&version=9.9.9") == []


def test_queue_filters_refuse_text_the_database_cannot_keep(client, queue_world):
    """A NUL in a filter is a 422 naming the character, never a 500 (PostgreSQL refuses NUL)."""
    tokens, _ = queue_world
    for field in ("publisher", "name", "version", "supplier"):
        r = client.get(f"{QUEUE}?{field}=ab%00c", headers=auth(tokens["lcs"]))
        assert r.status_code == 422, (field, r.get_json())
        assert "U+0000" in str(r.get_json()["errors"]), r.get_json()
