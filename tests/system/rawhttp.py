"""Raw HTTP/1.1 over TCP, for what no HTTP client sends: half a request, a body shorter than
its Content-Length, a malformed request line; and reading exactly what the server answers."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

import httpx

HALF_REQUEST = b"GET /api/v1/vocabulary HTTP/1.1\r\nHost: registry.test\r\nAccept: */*\r\n"
UPLOAD_HEAD = (
    "--cut\r\n"
    'Content-Disposition: form-data; name="archive"; filename="pack.zip"\r\n'
    "Content-Type: application/zip\r\n\r\n"
)


@dataclass
class Answer:
    """One HTTP answer: status, headers (names in lower case) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        """The body as JSON."""
        return json.loads(self.body)


class Raw:
    """A TCP connection to an HTTP server, written and read byte by byte."""

    def __init__(self, url: str, timeout: float = 10.0):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.received = b""

    def send(self, data: bytes) -> Raw:
        """Send bytes; return self."""
        self.sock.sendall(data)
        return self

    def stop_sending(self) -> None:
        """Half-close: the server reads the end of the stream."""
        self.sock.shutdown(socket.SHUT_WR)

    def is_open(self) -> bool:
        """True while the server has neither answered nor closed the connection."""
        timeout = self.sock.gettimeout()
        self.sock.setblocking(False)  # a socket timeout would make even MSG_DONTWAIT wait
        try:
            self.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return True  # nothing to read, and not closed
        except OSError:
            return False
        finally:
            self.sock.settimeout(timeout)
        return False  # an answer, or the end of the stream

    def read_until_closed(self, within: float) -> bytes:
        """Everything the server sends until it closes; fails if it is still open after within."""
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"the server did not close the connection in {within}s"
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                return self.received
            if not chunk:
                return self.received
            self.received += chunk

    def answer(self, within: float = 10.0) -> Answer:
        """Read one answer (headers and a Content-Length body)."""
        deadline = time.monotonic() + within
        while True:
            head, sep, rest = self.received.partition(b"\r\n\r\n")
            if sep:
                answer = parse_head(head)
                length = int(answer.headers.get("content-length", "0"))
                if len(rest) >= length:
                    answer.body, self.received = rest[:length], rest[length:]
                    return answer
            left = deadline - time.monotonic()
            assert left > 0, f"no complete answer in {within}s: {self.received[:300]!r}"
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            assert chunk, f"closed before a complete answer: {self.received[:300]!r}"
            self.received += chunk

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()


def parse_head(head: bytes) -> Answer:
    """The status line and headers of an answer."""
    lines = head.decode("latin-1").split("\r\n")
    version, status, *_ = lines[0].split(" ", 2)
    assert version in ("HTTP/1.1", "HTTP/1.0"), lines[0]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status), headers, b"")


def assert_json_error(answer: Answer, status: int) -> dict:
    """The registry's JSON error body with this status, sent with nosniff; return the body."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/json", answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff", answer.headers
    body = answer.json()
    assert body["code"] == status, body
    assert body["status"] == HTTPStatus(status).phrase, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    return body


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    """A request's bytes: request line, Host, the given header lines, then body."""
    lines = [f"{method} {path} HTTP/1.1", "Host: registry.test", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def cut_short_upload(token: str, announced: int = 40 * 1024 * 1024) -> bytes:
    """The start of an upload announcing `announced` bytes of which only the first few follow."""
    return request(
        "POST",
        "/api/v1/submissions",
        f"Authorization: Bearer {token}",
        "Content-Type: multipart/form-data; boundary=cut",
        f"Content-Length: {announced}",
        body=UPLOAD_HEAD.encode() + b"PK\x03\x04",
    )


def open_raw(raws: list[Raw], url: str, data: bytes = b"") -> Raw:
    """A raw connection that has sent data (perhaps nothing)."""
    raw = Raw(url)
    raws.append(raw)
    return raw.send(data) if data else raw


def fast_requests(url: str, count: int) -> None:
    """count requests one after another, each on a new connection, each answered at once."""
    for i in range(count):
        path = "/healthz" if i % 2 else "/api/v1/vocabulary"
        # 10 s: nothing here takes a second; the slow clients would hold it for 60 s.
        response = httpx.get(url + path, timeout=10)
        assert response.status_code == 200, response.text
