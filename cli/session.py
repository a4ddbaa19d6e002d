"""What every registry command shares: the --registry and --json options and opening a client."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cli import config

if TYPE_CHECKING:
    import httpx

    from cli.client import RegistryClient

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Obj:
    """The click context object; tests put an in-process WSGI transport here."""

    transport: httpx.BaseTransport | None = None


def registry_option(f: F) -> F:
    """Add --registry NAME|URL."""
    return click.option(
        "--registry",
        "-r",
        "registry",
        metavar="NAME|URL",
        help="A registry saved by `cmsreg login`, or its URL (default: CMSREG_REGISTRY, then the saved default).",
    )(f)


def json_option(f: F) -> F:
    """Add --json."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the registry's answer as JSON."
    )(f)


def target(registry: str | None) -> config.Target:
    """The registry and token a command will use."""
    data = config.load(config.config_path())
    return config.resolve(registry, os.environ, data)


def open_client(registry: str | None, *, signed_in: bool = False) -> RegistryClient:
    """A client for the chosen registry; AuthError first when the command needs a token and has none."""
    from cli.client import AuthError, RegistryClient  # httpx only for commands that talk HTTP

    chosen = target(registry)
    if signed_in and not chosen.token:
        raise AuthError(
            f"This needs you to be signed in to {chosen.url}: run `cmsreg login --registry "
            f"{chosen.url}` with a token from your account page, or set CMSREG_TOKEN."
        )
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Obj) if ctx else None
    return RegistryClient(chosen, transport=obj.transport if obj else None)
