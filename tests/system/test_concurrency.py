"""Many requests at once against a real gunicorn server with two worker processes."""

from __future__ import annotations

import httpx
import pytest

from tests.system.conftest import (
    PUBLISHER,
    all_at_once,
    approve,
    assert_downloads_match,
    listed_versions,
    small_pack,
    submit,
)

pytestmark = pytest.mark.slow


def test_sixteen_submissions_of_one_version_store_exactly_one(instance, tokens, server):
    server.start()
    assert len(server.workers()) >= 2
    files = small_pack("cp-workflow")

    def post(_: int) -> httpx.Response:
        with server.client(tokens.publisher) as client:
            return submit(client, files)

    responses = all_at_once(16, post)

    errors = [r for r in responses if not isinstance(r, httpx.Response)]
    assert not errors, errors
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 15, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    (created,) = [r.json() for r in responses if r.status_code == 201]
    assert created["status"] == "pending"
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == 409 and "cp-workflow 1.0.0" in r.json()["message"]

    rows = instance.sql(
        "SELECT id, status FROM submissions WHERE name = :name AND version = :version",
        name="cp-workflow",
        version="1.0.0",
    )
    assert rows == [(created["id"], "pending")]
    assert instance.refs("refs/submissions/") == [f"refs/submissions/{created['id']}"]
    instance.fsck()
    with server.client(tokens.moderator) as client:
        queue = client.get("/api/v1/submissions", params={"status": "pending"}).json()
    assert [s["id"] for s in queue] == [created["id"]]


def test_eight_approvals_at_once_all_land_on_main(instance, tokens, server):
    server.start()
    names = [f"pack-{i}" for i in range(8)]
    with server.client(tokens.publisher) as client:
        ids = []
        for name in names:
            r = submit(client, small_pack(name))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])

    def approve_one(i: int) -> httpx.Response:
        with server.client(tokens.moderator) as client:
            return approve(client, ids[i])

    responses = all_at_once(8, approve_one)

    assert all(isinstance(r, httpx.Response) for r in responses), responses
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert {r.json()["status"] for r in responses} == {"approved"}
    on_main = instance.git("ls-tree", "--name-only", f"main:packs/{PUBLISHER}").split()
    assert sorted(on_main) == names
    assert sorted(instance.refs("refs/tags/")) == sorted(
        f"refs/tags/{PUBLISHER}/{name}/v1.0.0" for name in names
    )
    assert instance.refs("refs/submissions/") == []
    instance.fsck()
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr

    with server.client() as client:
        assert listed_versions(client) == [(name, "1.0.0") for name in names]
        for name in names:
            assert_downloads_match(client, name, "1.0.0")
        found = client.get("/api/v1/search", params={"q": "", "per_page": 100})
    assert found.status_code == 200, found.text
    assert sorted(r["name"] for r in found.json()["results"]) == names
