"""The registry over HTTP: one client, one way errors become messages and exit codes.

Every command talks to the registry through `RegistryClient`; the server's own message is shown
plainly, GETs are retried with backoff when the connection fails (a POST never is: it may have
been acted on), and the token goes only into the Authorization header — never into a message.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import httpx

from cli import exits
from cli.config import Target

RETRYABLE_STATUS = (502, 503, 504)


class ClientError(click.ClickException):
    """The registry could not be reached or answered with an error (exit 3)."""

    exit_code = exits.REGISTRY

    def __init__(self, message: str, *, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


class AuthError(ClientError):
    """No token, a bad token, or not allowed (exit 4)."""

    exit_code = exits.AUTH


class InvalidError(ClientError):
    """The registry refused the pack as not valid (exit 1)."""

    exit_code = exits.INVALID


def _error_lines(errors: Any, prefix: str = "") -> list[str]:
    # flask-smorest nests field errors by location and field; flatten them to "field: problem".
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            lines += _error_lines(
                value,
                f"{prefix}{key}." if key not in ("json", "query", "files", "form") else prefix,
            )
        return lines
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return [f"  {prefix.rstrip('.') or 'input'}: {e}" for e in errors]
    if isinstance(errors, list):
        return [line for e in errors for line in _error_lines(e, prefix)]
    return [f"  {prefix.rstrip('.') or 'input'}: {errors}"]


class RegistryClient:
    """An HTTP client bound to one registry and, when signed in, one token."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ):
        self.target = target
        self.retries = int(os.environ.get("CMSREG_RETRIES", 3)) if retries is None else retries
        self.backoff = float(os.environ.get("CMSREG_BACKOFF", 0.5)) if backoff is None else backoff
        timeout = float(os.environ.get("CMSREG_TIMEOUT", 60)) if timeout is None else timeout
        headers = {"Accept": "application/json", "User-Agent": "cmsreg-cli"}
        if target.token:
            headers["Authorization"] = f"Bearer {target.token}"
        self._http = httpx.Client(
            base_url=target.url, transport=transport, timeout=timeout, headers=headers
        )

    def __repr__(self) -> str:
        return f"RegistryClient({self.target!r})"

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON answer (retried on connection failures and 502/503/504)."""
        with self.stream("GET", path, params=_clean(params)) as response:
            response.read()
            return self._json(response)

    def post(self, path: str, body: dict | None = None, **kwargs: Any) -> Any:
        """POST once (never retried) and return the JSON answer."""
        response = self._send("POST", path, json=body, **kwargs)
        try:
            response.read()
        finally:
            response.close()
        self.raise_for(response)
        return self._json(response)

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """A response whose body is read as it arrives; errors are raised before it is yielded."""
        attempts = self.retries + 1 if method in ("GET", "HEAD") else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._send(method, path, **kwargs)
            except ClientError:
                if last or not self._retryable_failure():
                    raise
                self._wait(attempt)
                continue
            if response.status_code in RETRYABLE_STATUS and not last:
                response.close()
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            try:
                if not response.is_success:
                    response.read()
                    self.raise_for(response)
                yield response
            finally:
                response.close()
            return

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self.target.url
        self._failure: Exception | None = None
        try:
            request = self._http.build_request(method, path, **kwargs)
            return self._http.send(request, stream=True)
        except httpx.TimeoutException as exc:
            self._failure = exc
            raise ClientError(
                f"{url} did not answer in time ({type(exc).__name__}); try again later, or allow "
                "longer with CMSREG_TIMEOUT=SECONDS."
            ) from None
        except httpx.ConnectError as exc:
            self._failure = exc
            if "SSL" in str(exc) or "certificate" in str(exc).lower():
                raise ClientError(
                    f"The TLS connection to {url} failed: {exc}. If the registry uses your "
                    "council's own certificate authority, point SSL_CERT_FILE at its bundle."
                ) from None
            raise ClientError(
                f"Cannot connect to {url}: {exc}. Check the URL and that the registry is running."
            ) from None
        except httpx.HTTPError as exc:
            self._failure = exc
            raise ClientError(f"The connection to {url} failed: {exc}.") from None

    def _retryable_failure(self) -> bool:
        failure = getattr(self, "_failure", None)
        if failure is None or "SSL" in str(failure):
            return False  # a certificate problem will not go away by itself
        return isinstance(failure, httpx.TransportError)

    def _wait(self, attempt: int, retry_after: str | None = None) -> None:
        delay = self.backoff * (2**attempt)
        if retry_after and retry_after.isdigit():
            delay = min(max(delay, int(retry_after)), 30)
        time.sleep(delay)

    # -- answers --------------------------------------------------------------------------

    def _not_a_registry(self, response: httpx.Response) -> ClientError:
        return ClientError(
            f"{self.target.url} answered {response.status_code} to {response.request.url.path} "
            f"with {response.headers.get('content-type', 'no content type')}, not as a cmsreg "
            "registry does. Check --registry: it is the registry's address, e.g. "
            "https://cmsreg.example.gov.uk (without /api/v1).",
            status=response.status_code,
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._not_a_registry(response) from None

    def raise_for(self, response: httpx.Response) -> None:
        """Raise the ClientError that says what went wrong, with the registry's message."""
        if response.is_success:
            return
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "message" not in body:
            raise self._not_a_registry(response)
        lines = [str(body["message"]), *_error_lines(body.get("errors") or {})]
        retry = response.headers.get("Retry-After")
        if retry:
            lines.append(f"  The registry asks you to try again in {retry} s.")
        message = "\n".join(lines)
        status = response.status_code
        kind = {401: AuthError, 403: AuthError, 422: InvalidError}.get(status, ClientError)
        raise kind(message, status=status, body=body)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    # Leave out unset filters; lists become repeated query parameters.
    return {k: v for k, v in params.items() if v not in (None, (), [], "")}


def print_json(data: Any) -> None:
    """Print the server's object as indented JSON (the `--json` output of every command)."""
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))
