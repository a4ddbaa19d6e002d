"""`cmsreg-server serve` keeps answering: slow, idle and malformed clients against a real server.

Slow clients are raw TCP connections (tests/system/rawhttp.py): idle ones that send nothing,
half-sent requests, and uploads that announce 40 MB and send a few bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from registry.errors import BODY_CUT_SHORT
from tests.system.conftest import all_at_once
from tests.system.rawhttp import (
    HALF_REQUEST,
    Raw,
    assert_json_error,
    cut_short_upload,
    fast_requests,
    open_raw,
    request,
)

pytestmark = pytest.mark.slow

# A bound for "did not hang": far beyond the timeouts the tests set, well below gunicorn's 30 s.
ANSWER_WITHIN = 15.0


@pytest.fixture
def database_kind() -> str:
    """SQLite only: how the server treats connections does not depend on the database."""
    return "sqlite"


@pytest.fixture
def raws() -> Iterator[list[Raw]]:
    """Raw connections of a test, closed at its end (before the server stops)."""
    opened: list[Raw] = []
    yield opened
    for raw in opened:
        with contextlib.suppress(OSError):
            raw.close()


def test_idle_and_half_sent_clients_do_not_hold_up_others(server, tokens, raws):
    server.start(CMSREG_HEADER_TIMEOUT="60", CMSREG_BODY_TIMEOUT="60")
    idle = [open_raw(raws, server.url) for _ in range(8)]
    half = [open_raw(raws, server.url, HALF_REQUEST) for _ in range(6)]
    cut = [open_raw(raws, server.url, cut_short_upload(tokens.publisher)) for _ in range(2)]

    fast_requests(server.url, 20)
    with server.client(tokens.publisher) as client:
        assert client.get("/api/v1/submissions").status_code == 200

    # Every slow client was still waiting while the others were served.
    assert all(raw.is_open() for raw in idle + half + cut)


def test_slow_clients_are_closed_after_the_read_timeout(server, tokens, raws):
    server.start(CMSREG_HEADER_TIMEOUT="2", CMSREG_BODY_TIMEOUT="2")
    idle = [open_raw(raws, server.url) for _ in range(4)]
    half = [open_raw(raws, server.url, HALF_REQUEST) for _ in range(4)]
    stalled = [open_raw(raws, server.url, cut_short_upload(tokens.publisher)) for _ in range(3)]

    for raw in idle + half:
        assert raw.read_until_closed(ANSWER_WITHIN) == b"", "closed without an answer"
    for raw in stalled:
        answer = raw.answer(ANSWER_WITHIN)
        assert assert_json_error(answer, 400)["message"] == BODY_CUT_SHORT
        raw.read_until_closed(ANSWER_WITHIN)


def test_a_body_cut_short_answers_400_and_frees_the_worker(server, tokens, raws):
    # The default timeouts (10 s): still well before gunicorn's own 30 s.
    server.start()
    ended = [open_raw(raws, server.url, cut_short_upload(tokens.publisher)) for _ in range(4)]
    for raw in ended:
        raw.stop_sending()  # the client gives up: the body ends 40 MB early
    reject = request(
        "POST",
        "/api/v1/submissions/1/reject",
        f"Authorization: Bearer {tokens.moderator}",
        "Content-Type: application/json",
        "Content-Length: 1000",
        body=b'{"reason": "Not yet',
    )
    stalled = [open_raw(raws, server.url, cut_short_upload(tokens.publisher))]
    stalled.append(open_raw(raws, server.url, reject))

    for raw in ended + stalled:
        answer = raw.answer(ANSWER_WITHIN + 10)
        assert assert_json_error(answer, 400)["message"] == BODY_CUT_SHORT
        raw.read_until_closed(ANSWER_WITHIN)

    # Every thread of both workers is free again: 16 requests at once are all answered.
    def get(i: int) -> int:
        return httpx.get(server.url + "/api/v1/vocabulary", timeout=10).status_code

    assert all_at_once(16, get) == [200] * 16
    assert "Traceback" not in server.log.read_text(errors="replace")


MALFORMED = {
    "10 KB URL": (b"GET /api/v1/" + b"x" * 10_240 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    "garbage": (b"GARBAGE\r\n\r\n", 400),
    "no version": (b"GET /\r\n\r\n", 400),
    "HTTP/9.9": (b"GET / HTTP/9.9\r\nHost: t\r\n\r\n", 400),
    "bad method": (b"G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "control character in URL": (b"GET /api/\x01 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "raw UTF-8 in URL": ("GET /api/v1/packs/é HTTP/1.1\r\nHost: t\r\n\r\n".encode(), 400),
    "bare LF": (b"GET /healthz HTTP/1.1\nHost: t\n\n", 400),
    "HTTP/2 preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    "PROXY line": (b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n", 400),
    "header without colon": (request("GET", "/", "Accept */*"), 400),
    "space before colon": (request("GET", "/", "Accept : */*"), 400),
    "NUL in header": (request("GET", "/", "X-A: a\x00b"), 400),
    "folded header": (request("GET", "/", "X-A: a", " b"), 400),
    "two Host headers": (request("GET", "/healthz", "Host: other"), 400),
    "150 headers": (request("GET", "/", *(f"X-{i}: a" for i in range(150))), 431),
    "9 KB header": (request("GET", "/", "X-A: " + "a" * 9000), 431),
    "Content-Length abc": (request("POST", "/api/v1/submissions", "Content-Length: abc"), 400),
    "two Content-Lengths": (
        request("POST", "/api/v1/submissions", "Content-Length: 3", "Content-Length: 4"),
        400,
    ),
    "Content-Length and chunked": (
        request(
            "POST",
            "/api/v1/submissions",
            "Content-Length: 3",
            "Transfer-Encoding: chunked",
            body=b"0\r\n\r\n",
        ),
        400,
    ),
    "unknown transfer coding": (
        request("POST", "/api/v1/submissions", "Transfer-Encoding: gzip"),
        400,
    ),
    "unknown expectation": (
        request("POST", "/api/v1/submissions", "Expect: 200-ok", "Content-Length: 0"),
        400,
    ),
}


def test_malformed_requests_answer_json_never_html(server, tokens):
    server.start()
    for case, (data, status) in MALFORMED.items():
        raw = Raw(server.url).send(data)
        try:
            answer = raw.answer(ANSWER_WITHIN)
        finally:
            raw.close()
        try:
            body = assert_json_error(answer, status)
        except AssertionError as exc:
            raise AssertionError(f"{case}: {exc}") from None
        assert answer.headers["connection"] == "close", case
        if status == 414:
            assert "4094 bytes" in body["message"]
    assert "Traceback" not in server.log.read_text(errors="replace")


@pytest.mark.parametrize(
    "body",
    [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcXX\r\n0\r\n\r\n", b"3\r\nab"],
    ids=["bad-chunk-size", "chunk-without-terminator", "chunk-cut-short"],
)
def test_broken_chunked_upload_answers_400_json(server, tokens, raws, body: bytes):
    server.start()
    upload = request(
        "POST",
        "/api/v1/submissions",
        f"Authorization: Bearer {tokens.publisher}",
        "Content-Type: multipart/form-data; boundary=cut",
        "Transfer-Encoding: chunked",
        body=body,
    )
    raw = open_raw(raws, server.url, upload)
    raw.stop_sending()
    assert assert_json_error(raw.answer(ANSWER_WITHIN), 400)["message"] == BODY_CUT_SHORT
    assert "Traceback" not in server.log.read_text(errors="replace")
