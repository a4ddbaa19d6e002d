"""The gunicorn worker of `cmsreg-server serve`: threads that no slow or idle client can hold.

gunicorn's threaded worker (gthread) hands each connection to a thread that then reads with
no time limit, so a client that sends half a request holds the thread for ever. This worker:

- waits for a new connection's first byte in its event loop, not in a thread, and closes a
  connection that sends nothing for HEADER_TIMEOUT seconds;
- gives each request HEADER_TIMEOUT seconds in all for its line and headers, then closes;
- lets a request body (and an answer being sent) pause at most BODY_TIMEOUT seconds; a body
  that stalls or ends before its Content-Length answers 400;
- answers malformed requests with the registry's JSON error body, never gunicorn's HTML page.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import selectors
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from http import HTTPStatus
from typing import Any

from gunicorn.http import errors as http_errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import TConn, ThreadWorker

from registry.errors import error_json

log = logging.getLogger(__name__)


class SlowClient(http_errors.NoMoreData, TimeoutError):
    """A client took too long: gunicorn closes quietly, as for a client gone, and WSGI apps see
    an OSError (werkzeug answers 400)."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def __str__(self) -> str:
        return self.what


class TimedSocket(socket.socket):
    """A client socket whose blocking reads give up: the headers by a deadline, the body after
    a pause. gunicorn makes the socket blocking when a thread takes the connection up, which
    here starts the header deadline instead."""

    header_timeout = 10.0
    body_timeout = 10.0
    _deadline: float | None = None

    @classmethod
    def adopt(cls, sock: socket.socket, header_timeout: float, body_timeout: float) -> TimedSocket:
        """Take over an accepted socket (the same connection, now with timeouts)."""
        timed = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        timed.header_timeout = header_timeout
        timed.body_timeout = body_timeout
        return timed

    def setblocking(self, flag: bool) -> None:
        """Non-blocking for gunicorn's event loop; "blocking" starts the header deadline."""
        if flag:
            self._deadline = time.monotonic() + self.header_timeout
            self.settimeout(self.header_timeout)
        else:
            self._deadline = None
            super().setblocking(False)

    def reading_body(self) -> None:
        """The headers are in: from now on each read or write may wait body_timeout seconds."""
        self._deadline = None
        self.settimeout(self.body_timeout)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._bound()
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:
            raise self._slow() from None

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._bound()
        try:
            return super().recv_into(buffer, nbytes, flags)
        except TimeoutError:
            raise self._slow() from None

    def sendall(self, data: Any, flags: int = 0) -> None:
        # socket.sendall's timeout bounds the whole answer: a slow but steady reader of a large
        # download would be cut off. Here the timeout bounds each pause instead.
        with memoryview(data) as view, view.cast("B") as left:
            while left:
                try:
                    sent = self.send(left, flags)
                except TimeoutError:
                    raise self._slow() from None
                left = left[sent:]

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        # socket.sendfile already bounds each pause (not the total) by the timeout.
        try:
            return super().sendfile(file, offset, count)
        except TimeoutError:
            raise self._slow() from None

    def _bound(self) -> None:
        """While reading headers, wait no later than the deadline."""
        if self._deadline is None:
            return
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._slow()
        current = self.gettimeout()
        if current is None or current > remaining:
            self.settimeout(remaining)

    def _slow(self) -> SlowClient:
        if self._deadline is not None:
            return SlowClient(f"no complete request headers within {self.header_timeout:g}s")
        return SlowClient(f"the client paused for more than {self.body_timeout:g}s")


class BodyUnreadable(OSError):
    """The request body ended before its Content-Length, or its chunked framing is broken."""


class RequestBody:
    """wsgi.input that reports every unreadable body as an OSError, which WSGI frameworks treat
    as a client gone (werkzeug answers 400), instead of gunicorn's parse errors (a 500) or a
    body silently cut short."""

    def __init__(self, body: Any, content_length: str | None):
        self._body = body
        self._left = int(content_length) if content_length and content_length.isdigit() else None

    def read(self, size: int | None = None) -> bytes:
        data = self._call(self._body.read, size)
        ended = size is None or size < 0 or len(data) < size
        return self._count(data, ended=ended and size != 0)

    def readline(self, size: int | None = None) -> bytes:
        data = self._call(self._body.readline, size)
        return self._count(data, ended=not data and size != 0)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return list(self)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _call(self, method: Callable[[int | None], bytes], size: int | None) -> bytes:
        try:
            return method(size)
        except http_errors.ParseException as exc:
            raise BodyUnreadable(f"unreadable request body: {exc}") from None

    def _count(self, data: bytes, ended: bool) -> bytes:
        if self._left is not None:
            self._left -= len(data)
            if ended and self._left > 0:
                raise BodyUnreadable(f"the request body ended {self._left} bytes early")
        return data


def _warm_search(app: Any) -> None:
    """Open the search index and fill its caches before the worker accepts its first request."""
    registry = getattr(app, "extensions", {}).get("cmsreg")
    if registry is None:
        return
    try:
        registry.search.warm()
    except Exception:  # an unusable index answers 503 to searches and shows in /healthz
        log.warning("search index not warmed at worker start", exc_info=True)


def guard_input(app: Callable) -> Callable:
    """Wrap a WSGI app so that it reads the request body through RequestBody."""

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ["wsgi.input"] = RequestBody(environ["wsgi.input"], environ.get("CONTENT_LENGTH"))
        return app(environ, start_response)

    return guarded


class LingeringConn(TConn):
    """gunicorn's connection, closing gracefully without blocking the worker's event loop.

    gunicorn half-closes and then waits up to 2 s for the client to close, in the thread that
    runs the event loop: every client that never closes (as a stalled one does not) would stall
    all the worker's connections for 2 s. Here the worker's poller does the waiting.
    """

    linger: Callable[[TConn], None] | None = None

    def close(self, graceful: bool = False) -> None:
        if graceful and self.linger is not None:
            self.linger(self)
        else:
            super().close(graceful)


# gunicorn's request errors: (status, what to do). Anything else is the registry's fault: 500.
_CLIENT_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (
        http_errors.LimitRequestLine,
        414,
        "The request line is too long (at most {line} bytes): shorten the address or its query.",
    ),
    (
        http_errors.LimitRequestHeaders,
        431,
        "The request headers are too large or too many: send fewer or shorter headers.",
    ),
    (
        http_errors.ForbiddenProxyRequest,
        403,
        "Proxy headers are accepted only from the registry's own reverse proxy.",
    ),
    (
        http_errors.ParseException,
        400,
        "The request is not well-formed HTTP/1.1 ({detail}): check the request line and headers.",
    ),
)
_SERVER_ERRORS = (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)
_UNEXPECTED = "Something went wrong on the registry; it has been logged."


def describe_error(exc: BaseException, limit_request_line: int) -> tuple[int, str]:
    """The status and message answering one of gunicorn's request errors."""
    if not isinstance(exc, _SERVER_ERRORS):
        for cls, status, message in _CLIENT_ERRORS:
            if isinstance(exc, cls):
                detail = str(exc)[:200]
                return status, message.format(line=limit_request_line, detail=detail)
    return 500, _UNEXPECTED


def error_response(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 error answer with the registry's JSON error body."""
    body = error_json(status, message)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class RegistryWorker(ThreadWorker):
    """gunicorn's threaded worker with read timeouts and JSON errors (see the module doc)."""

    header_timeout = 10.0
    body_timeout = 10.0
    LINGER_SECONDS = 2.0  # as gunicorn's own graceful close
    LINGER_BYTES = 1024 * 1024  # read and dropped at most, from a client that keeps sending

    def init_process(self) -> None:
        """Read the timeouts from the registry's settings, then run gunicorn's worker."""
        from registry.settings import load_settings

        settings = load_settings()
        self.header_timeout = float(settings["HEADER_TIMEOUT"])
        self.body_timeout = float(settings["BODY_TIMEOUT"])
        self.lingering: deque[TConn] = deque()
        self.busy = 0  # connections handed to threads and not yet finished
        super().init_process()

    def load_wsgi(self) -> None:
        """Load the app, reading bodies through RequestBody."""
        super().load_wsgi()
        _warm_search(self.wsgi)
        self.wsgi = guard_input(self.wsgi)

    def accept(self, listener: Any) -> None:
        """Accept a connection and wait for its first byte in the event loop, not in a thread."""
        try:
            sock, client = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock = TimedSocket.adopt(sock, self.header_timeout, self.body_timeout)
        conn = LingeringConn(self.cfg, sock, client, listener.getsockname())
        conn.linger = self.linger
        # gunicorn's pending list: closed by murder_pending once conn.timeout passes, handed to
        # a thread (with data_ready set) when readable. All share one timeout, so it stays
        # sorted as murder_pending needs.
        conn.timeout = time.monotonic() + self.header_timeout
        self.pending_conns.append(conn)
        self.poller.register(
            sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    # A worker whose threads are all busy stops accepting, so that another worker (or the
    # kernel's queue, until a thread is free) takes new connections rather than this one's
    # backlog of slow clients.

    def set_accept_enabled(self, enabled: bool) -> None:
        """Accept while a thread is free (and gunicorn's own connection limit allows)."""
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)

    def enqueue_req(self, conn: TConn) -> None:
        """Hand a readable connection to a thread."""
        self.busy += 1
        if self.busy >= self.cfg.threads:
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        """A thread is done with a connection: keep it alive, linger or close (gunicorn's)."""
        self.busy -= 1
        self.set_accept_enabled(self.alive and self.nr_conns < self.worker_connections)
        super().finish_request(conn, fs)

    def linger(self, conn: TConn) -> None:
        """Half-close; the poller drains what the client still sends, then closes (RFC 9112 9.6)."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
        except OSError:
            conn.sock.close()
            return
        conn.timeout = time.monotonic() + self.LINGER_SECONDS
        conn.drained = 0
        self.lingering.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._drain, conn))

    def _drain(self, conn: Any, _sock: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        conn.drained += len(data)
        if not data or conn.drained > self.LINGER_BYTES:
            self.lingering.remove(conn)
            self._close_lingering(conn)

    def _close_lingering(self, conn: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        conn.sock.close()

    def murder_pending(self) -> None:
        """Close silent new connections (gunicorn's), and lingering ones whose time is up."""
        super().murder_pending()
        now = time.monotonic()
        while self.lingering and self.lingering[0].timeout <= now:
            self._close_lingering(self.lingering.popleft())

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Serve one request whose headers are in; the body now has body_timeout per pause."""
        if isinstance(conn.sock, TimedSocket):
            conn.sock.reading_body()
        return super().handle_request(req, conn)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request gunicorn could not read (or a failure outside the app) in JSON."""
        started = datetime.now()
        addr = addr or ("", -1)
        status, message = describe_error(exc, self.cfg.limit_request_line)
        if status >= 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        answer = error_response(status, message)
        if req is not None:
            environ = default_environ(req, client, self.cfg)
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
            resp = Response(req, client, self.cfg)
            resp.status = f"{status} {HTTPStatus(status).phrase}"
            resp.response_length = len(answer)
            self.log.access(resp, req, environ, datetime.now() - started)
        try:
            client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send error message.")


def import_app_modules() -> None:
    """Import the modules create_app() uses, without making an app.

    gunicorn's master imports this module to find the worker class, before it forks the
    workers: importing the app's modules here means each worker inherits them instead of
    importing them again (about a second of CPU per worker on a small machine). Only modules:
    the app itself is still made in each worker, so no connection or git process crosses a fork.
    """
    import registry.api
    import registry.search.whoosh_internals
    import registry.services.context
    import registry.web  # noqa: F401


import_app_modules()
