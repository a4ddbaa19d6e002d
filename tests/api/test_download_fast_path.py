"""Cached archives are sent before Flask sees the request: same answer, same counting."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

import pytest
from flask import request_started
from sqlalchemy import text
from werkzeug.test import Client

from registry import create_app
from registry.api.downloads import FastDownloads
from tests.api.test_flow import publish_and_approve
from tests.packs.manifests import pack_files

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"
EXACT = f"{PACK}/versions/1.2.0/download"
# Set by the server on every answer, or by Flask's session handling; the answer is the same.
VOLATILE = {"Date", "Vary"}


@pytest.fixture
def published(client, accounts):
    """Version 1.2.0 approved, and its archive cached."""
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    publish_and_approve(client, pub, mod, pack_files(depends=...))
    for fmt in ("zip", "tar.gz"):  # built now where approval did not
        assert client.head(f"{EXACT}?format={fmt}").status_code == 200


@contextmanager
def flask_requests(app):
    """The paths of the requests Flask itself handled while the block ran."""
    seen: list[str] = []

    def started(sender, **extra):
        from flask import request

        seen.append(request.full_path)

    request_started.connect(started, app)
    try:
        yield seen
    finally:
        request_started.disconnect(started, app)


def flask_only(app) -> Client:
    """A client of the app as it was before the fast path: every download through Flask."""
    inner = app.wsgi_app
    while not isinstance(inner, FastDownloads):
        inner = inner.app  # ProxyFix, when configured, wraps it
    return Client(inner.app)


def comparable(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in VOLATILE)
    return response.status_code, headers, response.get_data()


@pytest.mark.parametrize(
    "method, query, headers",
    [
        ("GET", "format=zip", {}),
        ("GET", "format=tar.gz", {}),
        ("GET", "", {}),  # zip by default
        ("HEAD", "format=zip", {}),
        ("GET", "format=zip", {"If-None-Match": "*"}),
    ],
)
def test_the_fast_path_answers_exactly_as_flask_would(
    app, client, published, method, query, headers
):
    with flask_requests(app) as seen:
        fast = client.open(EXACT, method=method, query_string=query, headers=headers)
    assert seen == []  # Flask never saw it
    slow = flask_only(app).open(EXACT, method=method, query_string=query, headers=headers)
    assert comparable(fast) == comparable(slow)
    if method == "GET" and not headers:
        assert hashlib.sha256(fast.get_data()).hexdigest() == fast.headers["X-Checksum-SHA256"]


def test_a_matching_etag_answers_304_without_a_body(app, client, published):
    sha = client.get(f"{EXACT}?format=zip").headers["X-Checksum-SHA256"]
    with flask_requests(app) as seen:
        r = client.get(f"{EXACT}?format=zip", headers={"If-None-Match": f'"{sha}"'})
    assert seen == [] and r.status_code == 304 and r.get_data() == b""
    assert r.headers["ETag"] == f'"{sha}"' and r.headers["X-Checksum-SHA256"] == sha


@pytest.mark.parametrize(
    "path",
    [
        f"{PACK}/versions/latest/download?format=zip",  # revalidated each time: Flask
        f"{PACK}/versions/9.9.9/download?format=zip",  # no such version: Flask's 404
        f"{PACK}/versions/1.2.0/download?format=rar",  # Flask's 422 says what to send
        f"{PACK}/versions/1.2.0/download?format=zip&format=tar.gz",
        f"{PACK}/versions/1.2.0/download/?format=zip",
        "/api/v1/packs/Hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0/download",
        "/api/v1/packs/hertfordshire/../hertfordshire/versions/1.2.0/download",
    ],
)
def test_anything_else_goes_to_flask(app, client, published, path):
    with flask_requests(app) as seen:
        fast = client.get(path)
    assert len(seen) == 1
    slow = flask_only(app).get(path)
    assert comparable(fast) == comparable(slow)


def test_a_post_to_the_download_address_goes_to_flask(app, client, published):
    with flask_requests(app) as seen:
        r = client.post(f"{EXACT}?format=zip")
    assert len(seen) == 1 and r.status_code in (401, 405)
    assert r.get_json()["message"]


def test_downloads_count_once_per_client_across_processes(app, client, published, database_url):
    """Two workers (two apps on one database) each remember the clients they counted; the
    database is what they agree on."""
    other = create_app(
        {
            "INSTANCE": app.extensions["cmsreg"].settings["INSTANCE"],
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": False,
        }
    )
    try:
        second = other.test_client()
        url = f"{EXACT}?format=zip"
        ada = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}, "headers": {"User-Agent": "ada"}}
        for worker in (client, second, client, second):
            assert worker.get(url, **ada).status_code == 200
        assert client.get(PACK).get_json()["downloads"] == 1
        # Another client counts; a HEAD and a 304 are not downloads.
        second.get(url, headers={"User-Agent": "curl/8.5"})
        second.head(url, headers={"User-Agent": "wget/1.21"})
        sha = client.head(url).headers["X-Checksum-SHA256"]
        client.get(url, headers={"User-Agent": "wget/1.21", "If-None-Match": f'"{sha}"'})
        assert second.get(PACK).get_json()["downloads"] == 2
    finally:
        other.extensions["cmsreg"].close()


def test_an_error_on_the_fast_path_gets_flasks_answer(app, client, published):
    """A failure before anything is sent (here the download counter's table is gone) is
    answered by Flask's error handlers, as JSON, never as the WSGI server's bare 500."""
    reg = app.extensions["cmsreg"]
    with reg.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE download_clients RENAME TO download_clients_away"))
    try:
        r = client.get(f"{EXACT}?format=zip", headers={"User-Agent": "first-time/1.0"})
        assert r.status_code == 500
        assert r.is_json and r.get_json()["message"]
    finally:
        with reg.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE download_clients_away RENAME TO download_clients"))
    r = client.get(f"{EXACT}?format=zip", headers={"User-Agent": "first-time/1.0"})
    assert r.status_code == 200
    assert client.get(PACK).get_json()["downloads"] == 1
