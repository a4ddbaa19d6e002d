"""The deployment of docs/deployment.md: a real nginx, with the documented proxy settings, in
front of a real `cmsreg-server serve`. Skipped only where nginx is not installed (CI installs
it)."""

from __future__ import annotations

import io
import random
import re
import string
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest

from registry.packs.build import build_zip
from registry.settings import SETTINGS
from tests.system.conftest import (
    Server,
    Tokens,
    approve,
    assert_downloads_match,
    small_pack,
    submit,
)
from tests.system.nginx import NGINX, Nginx, documented_snippet
from tests.system.rawhttp import (
    HALF_REQUEST,
    Answer,
    Raw,
    cut_short_upload,
    fast_requests,
    open_raw,
    request,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not NGINX.exists(), reason=f"nginx is not installed ({NGINX})"),
]
MiB = 1024 * 1024


@pytest.fixture
def database_kind() -> str:
    """SQLite only: what nginx passes on does not depend on the database."""
    return "sqlite"


@pytest.fixture
def proxy(server: Server, tmp_path: Path) -> Iterator[Nginx]:
    """nginx in front of the test's server (started with long read timeouts)."""
    server.start(CMSREG_HEADER_TIMEOUT="60", CMSREG_BODY_TIMEOUT="60")
    nginx = Nginx(tmp_path / "nginx", server.url)
    yield nginx.start()
    nginx.stop()


@pytest.fixture
def raws() -> Iterator[list[Raw]]:
    """Raw connections of a test, closed at its end."""
    opened: list[Raw] = []
    yield opened
    for raw in opened:
        raw.close()


def assert_nginx_json_error(answer: Answer, status: int) -> dict:
    """One of nginx's own answers, in the registry's error shape."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/json", answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff", answer.headers
    body = answer.json()
    assert body["code"] == status and body["message"].strip(), body
    return body


def test_the_documented_upload_limit_matches_the_registrys():
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", documented_snippet())
    archive_limit = next(s.default for s in SETTINGS if s.name == "MAX_ARCHIVE_BYTES")
    assert int(limit) * MiB == archive_limit + MiB  # as create_app's MAX_CONTENT_LENGTH


def test_requests_and_uploads_go_through(proxy: Nginx, tokens: Tokens):
    with httpx.Client(base_url=proxy.url, timeout=60) as anyone:
        health = anyone.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        vocabulary = anyone.get("/api/v1/vocabulary")
        assert vocabulary.status_code == 200
        assert vocabulary.headers["X-Content-Type-Options"] == "nosniff"
        missing = anyone.get("/api/v1/nothing")
        assert missing.status_code == 404 and missing.json()["code"] == 404

    headers = {"Authorization": f"Bearer {tokens.publisher}"}
    with httpx.Client(base_url=proxy.url, headers=headers, timeout=60) as publisher:
        small = submit(publisher, small_pack("cp-workflow"))
        assert small.status_code == 201, small.text
        # Over nginx's 1 MiB body buffer: nginx spools it to a temporary file first.
        rng = random.Random(7)
        words = "".join(rng.choice(string.ascii_lowercase + " \n") for _ in range(3 * MiB))
        files = small_pack("big-workflow") | {"docs/notes.md": words.encode()}
        assert len(build_zip(files).data) > MiB
        big = submit(publisher, files)
        assert big.status_code == 201, big.text
        not_multipart = publisher.post("/api/v1/submissions", content=b"PK\x03\x04")
        assert not_multipart.status_code == 400 and "archive" in not_multipart.json()["message"]

    moderator = {"Authorization": f"Bearer {tokens.moderator}"}
    with httpx.Client(base_url=proxy.url, headers=moderator, timeout=60) as client:
        for created in (small, big):
            assert approve(client, created.json()["id"]).status_code == 200
        assert_downloads_match(client, "big-workflow", "1.0.0")


def test_nginx_refusals_are_json(proxy: Nginx, server: Server, tokens: Tokens, raws):
    too_large = request(
        "POST",
        "/api/v1/submissions",
        f"Authorization: Bearer {tokens.publisher}",
        "Content-Type: multipart/form-data; boundary=x",
        f"Content-Length: {60 * MiB}",
    )
    cases = [
        (too_large, 413),
        (b"GET /api/v1/" + b"x" * 10_240 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        (b"GARBAGE\r\n\r\n", 400),
        (request("GET", "/api/v1/vocabulary", "X-A: " + "a" * 9000), 400),
    ]
    for data, status in cases:
        raw = open_raw(raws, proxy.url, data)
        assert_nginx_json_error(raw.answer(), status)

    # The registry's own errors pass through as they are.
    raw = open_raw(raws, proxy.url, b"GET /api/v1/" + b"x" * 5000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    answer = raw.answer()
    assert answer.status == 414 and "4094 bytes" in answer.json()["message"]
    assert answer.json()["status"] == HTTPStatus(414).phrase

    server.stop()
    down = httpx.get(proxy.url + "/api/v1/vocabulary", timeout=30)
    assert down.status_code == 503, down.text
    assert down.headers["Content-Type"] == "application/json"
    assert down.json()["code"] == 503 and down.headers["Retry-After"]


def test_slow_and_idle_clients_wait_at_nginx_not_in_the_registry(proxy: Nginx, tokens, raws):
    # More slow clients than the registry has threads (2 workers × 8): if nginx passed any of
    # them on, the registry would wait 60 s for each and the fast requests would queue.
    idle = [open_raw(raws, proxy.url) for _ in range(20)]
    half = [open_raw(raws, proxy.url, HALF_REQUEST) for _ in range(20)]
    cut = [open_raw(raws, proxy.url, cut_short_upload(tokens.publisher)) for _ in range(20)]

    fast_requests(proxy.url, 20)
    files = small_pack("cp-workflow")
    upload = {"archive": ("pack.zip", io.BytesIO(build_zip(files).data), "application/zip")}
    response = httpx.post(
        proxy.url + "/api/v1/submissions",
        files=upload,
        headers={"Authorization": f"Bearer {tokens.publisher}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text

    assert all(raw.is_open() for raw in idle + half + cut)


def test_a_clients_forwarding_headers_do_not_reach_the_registry(proxy: Nginx):
    # gunicorn refuses contradictory scheme headers from a trusted proxy (400); nginx drops the
    # client's and sends only its own, so these requests are served.
    for header in ("X-Forwarded-Ssl: on", "X-Forwarded-Protocol: ssl", "X-Forwarded-Proto: https"):
        name, _, value = header.partition(": ")
        response = httpx.get(proxy.url + "/healthz", headers={name: value}, timeout=10)
        assert response.status_code == 200, (header, response.text)
