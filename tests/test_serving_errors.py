"""The answers registry/serving.py writes for requests gunicorn cannot pass to the app."""

from __future__ import annotations

import json

import pytest
from gunicorn.http import errors

from registry.serving import describe_error, error_response


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (errors.LimitRequestLine(8192, 4094), 414),
        (errors.LimitRequestHeaders("limit request headers fields"), 431),
        (errors.InvalidRequestLine("GARBAGE"), 400),
        (errors.InvalidHeader("X-A"), 400),
        (errors.InvalidHeaderName("X A"), 400),
        (errors.UnsupportedTransferCoding("gzip"), 400),  # gunicorn says 501: input is no 5xx
        (errors.InvalidChunkSize(b"zz"), 400),
        (errors.InvalidResponseHeader("X-Bad"), 500),  # the app's fault, not the client's
        (RuntimeError("a bug"), 500),
    ],
)
def test_every_error_is_the_registrys_json_body(exc: Exception, status: int) -> None:
    code, message = describe_error(exc, 4094)
    assert code == status
    head, _, body = error_response(code, message).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    assert "Content-Type: application/json" in lines
    assert "X-Content-Type-Options: nosniff" in lines
    assert "Connection: close" in lines
    assert f"Content-Length: {len(body)}" in lines
    parsed = json.loads(body)
    assert parsed["code"] == status and parsed["message"] == message
    if status == 500:
        assert "a bug" not in message and "X-Bad" not in message  # nothing internal
