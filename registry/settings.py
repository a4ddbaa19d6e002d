"""Every setting once: name, default, help. Read from `<instance>/cmsreg.toml` and CMSREG_* env.

Settings are read when the app (or a command) starts, never at import time. Environment
variables win over the instance file. `docs/operations.md` lists them; a test fails if one
is missing there.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.packs.limits import Limits, MiB


def switch(value: object) -> bool:
    """Read an on/off setting: on, off, true, false, yes, no, 1 or 0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    raise ValueError(value)


@dataclass(frozen=True)
class Setting:
    """One setting: its name (without the CMSREG_ prefix), default, type and help."""

    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE",
        "./instance",
        "Folder holding the database, content repository, index and archive cache.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of the database; empty means SQLite at <instance>/cmsreg.db. DATABASE_URL is read too.",
    ),
    Setting(
        "STORE_PATH", "", "Bare git repository of pack content; empty means <instance>/content.git."
    ),
    Setting("INDEX_PATH", "", "Whoosh search index folder; empty means <instance>/index."),
    Setting(
        "SEARCH_LOCK_TIMEOUT",
        20.0,
        "Seconds the indexer thread (after an approve, yank or unyank, which answer without waiting for it) or a `reindex` waits for the search index's write lock, which a reindex holds throughout; a search waits at most 2 seconds of it and then answers from the index as it stands. A change that found the lock busy stays queued for the next search, change or `reindex` (a warning is logged); `reindex` fails with the message.",
        float,
    ),
    Setting(
        "ARCHIVE_CACHE", "", "Folder of built download archives; empty means <instance>/archives."
    ),
    Setting(
        "CONTENT_REPO",
        "",
        "Folder of example packs that `seed` publishes; empty means content_repo/ beside the code.",
    ),
    Setting("MAX_ARCHIVE_BYTES", 50 * MiB, "Largest upload accepted, in bytes.", int),
    Setting(
        "MAX_UNPACKED_BYTES",
        200 * MiB,
        "Largest total of unpacked files, counted while decompressing.",
        int,
    ),
    Setting("MAX_FILES", 2000, "Most files in one pack.", int),
    Setting("MAX_DEPTH", 12, "Deepest path in a pack, in folders.", int),
    Setting("MAX_NAME_BYTES", 255, "Longest file or folder name, in bytes of UTF-8.", int),
    Setting("MAX_MANIFEST_BYTES", 64 * 1024, "Largest cmspack.yaml, in bytes.", int),
    Setting(
        "ENV",
        "development",
        "development or production; production refuses to start without SECRET_KEY.",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Secret for signed cookies. Required in production; a random one is made per process in development.",
    ),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
    Setting(
        "RATE_LIMITS",
        True,
        "on or off: off turns every rate limit off (tests, an operator's bulk import).",
        switch,
    ),
    Setting(
        "UPLOADS_PER_HOUR",
        30,
        "Uploads one organisation may make in an hour (withdrawn and refused ones count); 0 means no limit.",
        int,
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "Reverse proxies in front of the registry whose X-Forwarded-For, -Proto and -Host are believed (1 behind nginx); 0 believes none.",
        int,
    ),
    Setting(
        "SIGN_IN_LIMIT",
        "10 per minute",
        "Sign-in attempts one address may make on the web pages (Flask-Limiter syntax, e.g. 10 per minute; several separated by ;).",
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "memory://",
        "Where the web pages' rate limits are counted: memory:// (each worker counts alone) or a shared store such as redis://host:6379.",
    ),
    Setting(
        "MAIL_BACKEND",
        "outbox",
        "outbox (each message written to CMSREG_OUTBOX as an .eml file) or smtp.",
    ),
    Setting("MAIL_FROM", "cmsreg <noreply@localhost>", "The From address of invitations."),
    Setting(
        "OUTBOX", "", "Folder the outbox mail backend writes to; empty means <instance>/outbox."
    ),
    Setting("SMTP_HOST", "localhost", "SMTP server of the smtp mail backend."),
    Setting("SMTP_PORT", 587, "Its port.", int),
    Setting("SMTP_USERNAME", "", "User name to log in to the SMTP server; empty means no login."),
    Setting("SMTP_PASSWORD", "", "Its password."),
    Setting("SMTP_STARTTLS", True, "on or off: STARTTLS before logging in and sending.", switch),
    Setting(
        "HEADER_TIMEOUT",
        10.0,
        "Seconds `serve` gives a client to send a request line and headers, and the longest a new connection may stay silent; then it closes the connection.",
        float,
    ),
    Setting(
        "BODY_TIMEOUT",
        10.0,
        "Seconds `serve` lets a request body, or a client receiving an answer, pause; a body that stalls or ends early answers 400.",
        float,
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}
PREFIX = "CMSREG_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return every setting: defaults < instance file < environment < overrides.

    Keys of overrides that are not settings (Flask's own, such as TESTING) are ignored here.
    """
    env = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if k in _BY_NAME}
    instance = Path(
        overrides.get("INSTANCE") or env.get(PREFIX + "INSTANCE") or _BY_NAME["INSTANCE"].default
    )
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config_file = instance / "cmsreg.toml"
    if config_file.is_file():
        with config_file.open("rb") as fh:
            values.update(_check(tomllib.load(fh), f"{config_file}"))
    from_env = {s.name: env[PREFIX + s.name] for s in SETTINGS if PREFIX + s.name in env}
    if "DATABASE_URL" not in from_env and env.get("DATABASE_URL"):
        from_env["DATABASE_URL"] = env["DATABASE_URL"]
    values.update(_check(from_env, "the environment"))
    values.update(_check(overrides, "the app config"))
    values["INSTANCE"] = str(instance.resolve())
    root = Path(values["INSTANCE"])
    values["DATABASE_URL"] = values["DATABASE_URL"] or f"sqlite:///{root / 'cmsreg.db'}"
    values["STORE_PATH"] = values["STORE_PATH"] or str(root / "content.git")
    values["INDEX_PATH"] = values["INDEX_PATH"] or str(root / "index")
    values["ARCHIVE_CACHE"] = values["ARCHIVE_CACHE"] or str(root / "archives")
    values["OUTBOX"] = values["OUTBOX"] or str(root / "outbox")
    values["CONTENT_REPO"] = values["CONTENT_REPO"] or str(
        Path(__file__).resolve().parent.parent / "content_repo"
    )
    if values["ENV"] not in ("development", "production"):
        raise SettingsError("CMSREG_ENV must be development or production")
    if values["ENV"] == "production" and not values["SECRET_KEY"]:
        raise SettingsError("CMSREG_SECRET_KEY must be set in production")
    if values["MAIL_BACKEND"] not in ("outbox", "smtp"):
        raise SettingsError("CMSREG_MAIL_BACKEND must be outbox or smtp")
    for name in ("HEADER_TIMEOUT", "BODY_TIMEOUT", "SEARCH_LOCK_TIMEOUT"):
        if not 0 < values[name] <= 3600:
            raise SettingsError(f"CMSREG_{name} must be more than 0 and at most 3600 seconds")
    return values


def _check(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Convert values to each setting's type; unknown names are errors, not silently ignored."""
    out = {}
    for key, value in raw.items():
        name = key.upper().removeprefix(PREFIX)
        setting = _BY_NAME.get(name)
        if setting is None:
            raise SettingsError(f"Unknown setting {key} in {source}; see docs/operations.md")
        try:
            out[name] = setting.type(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"Setting {name} in {source} must be {setting.type.__name__}, not {value!r}"
            ) from None
    return out


def limits_from(settings: Mapping[str, Any]) -> Limits:
    """Build the upload limits from settings."""
    return Limits(
        max_archive_bytes=settings["MAX_ARCHIVE_BYTES"],
        max_unpacked_bytes=settings["MAX_UNPACKED_BYTES"],
        max_files=settings["MAX_FILES"],
        max_depth=settings["MAX_DEPTH"],
        max_name_bytes=settings["MAX_NAME_BYTES"],
        max_manifest_bytes=settings["MAX_MANIFEST_BYTES"],
    )
