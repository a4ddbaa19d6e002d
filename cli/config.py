"""Saved registries and tokens: one JSON file in the user's config folder, readable only by them.

The file holds `{"default": NAME, "registries": {NAME: {"url": URL, "token": TOKEN}}}`. Flags and
the environment win over it: `--registry NAME|URL`, then `CMSREG_REGISTRY`, then the default;
`CMSREG_TOKEN`, then the token saved for that registry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from cli import exits


class ConfigError(click.ClickException):
    """No registry chosen, or a config file that cannot be read (usage error, exit 2)."""

    exit_code = exits.USAGE


@dataclass(frozen=True)
class Target:
    """The registry a command talks to, and the token it sends (never printed)."""

    name: str
    url: str
    token: str | None

    def __repr__(self) -> str:  # a traceback or log line must never show the token
        return (
            f"Target(name={self.name!r}, url={self.url!r}, token={'***' if self.token else None})"
        )


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file: CMSREG_CONFIG if set, else config.json in the user's config folder."""
    env = os.environ if env is None else env
    if env.get("CMSREG_CONFIG"):
        return Path(env["CMSREG_CONFIG"])
    import platformdirs  # only the commands that need the file pay for the import

    return platformdirs.user_config_path("cmsreg") / "config.json"


def load(path: Path) -> dict:
    """The saved registries (an empty config when the file does not exist yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"default": None, "registries": {}}
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{path} cannot be read ({exc}); delete it and run `cmsreg login` again."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("registries"), dict):
        raise ConfigError(
            f"{path} is not a cmsreg config file; delete it and run `cmsreg login` again."
        )
    return data


def save(path: Path, data: dict) -> None:
    """Write the config atomically, mode 0600 from the first byte (it holds tokens)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
    os.chmod(tmp, 0o600)  # a umask cannot widen it, but an existing file's mode could differ
    os.replace(tmp, path)


def is_url(value: str) -> bool:
    """True for an http(s) URL, False for a saved registry's name."""
    return urlsplit(value).scheme in ("http", "https")


def normal_url(url: str) -> str:
    """The registry's base URL without a trailing slash; a usage error for anything not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{url!r} is not a registry URL: give one such as https://cmsreg.example.gov.uk"
        )
    return url.strip().rstrip("/")


def default_name(url: str) -> str:
    """A name for a registry saved without one: its host (and port)."""
    return urlsplit(url).netloc


def resolve(choice: str | None, env: Mapping[str, str], data: dict) -> Target:
    """The registry and token for a command, from the flag, the environment and the config."""
    wanted = choice or env.get("CMSREG_REGISTRY") or data.get("default")
    if not wanted:
        raise ConfigError(
            "No registry chosen: run `cmsreg login --registry URL`, or pass --registry URL, "
            "or set CMSREG_REGISTRY."
        )
    saved = data["registries"]
    if is_url(wanted):
        url = normal_url(wanted)
        name = next((n for n, r in saved.items() if r.get("url") == url), default_name(url))
    elif wanted in saved:
        name, url = wanted, saved[wanted]["url"]
    else:
        known = ", ".join(sorted(saved)) or "none yet"
        raise ConfigError(
            f"No saved registry is called {wanted!r} (saved: {known}); give its URL or run "
            "`cmsreg login --registry URL --name NAME`."
        )
    token = env.get("CMSREG_TOKEN") or saved.get(name, {}).get("token")
    return Target(name=name, url=url, token=token or None)
