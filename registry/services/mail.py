"""Sending mail: one small interface, an SMTP backend, and a default that writes to a folder.

The default backend writes each message as an .eml file to <instance>/outbox/ (CMSREG_OUTBOX),
so a registry on a laptop needs no mail server and a test can read what was sent.
"""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from registry.settings import SettingsError

BACKENDS = ("outbox", "smtp")


@dataclass(frozen=True)
class Message:
    """One plain-text message to one person."""

    to: str
    subject: str
    body: str


class MailBackend(Protocol):
    """Anything that sends a Message."""

    def send(self, message: Message) -> None:
        """Send the message, or raise OSError (smtplib's errors are OSErrors too)."""


def as_email(message: Message, sender: str) -> EmailMessage:
    """The message as RFC 5322 mail from sender."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    mail.set_content(message.body)
    return mail


class OutboxBackend:
    """Write each message to a folder as <time>-<random>.eml, written whole then renamed."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> None:
        """Write the message to the outbox folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        partial = self.folder / f".{stem}.tmp"
        partial.write_bytes(as_email(message, self.sender).as_bytes())
        os.replace(partial, self.folder / f"{stem}.eml")  # readers never see half a message


class SmtpBackend:
    """Send through an SMTP server, with STARTTLS unless told otherwise."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message: Message) -> None:
        """Send the message through the server."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(as_email(message, self.sender))


def backend_from(settings: dict[str, Any]) -> MailBackend:
    """The backend the settings name (CMSREG_MAIL_BACKEND)."""
    kind = settings["MAIL_BACKEND"]
    sender = settings["MAIL_FROM"]
    if kind == "outbox":
        return OutboxBackend(Path(settings["OUTBOX"]), sender)
    if kind == "smtp":
        return SmtpBackend(
            settings["SMTP_HOST"],
            settings["SMTP_PORT"],
            sender,
            settings["SMTP_USERNAME"],
            settings["SMTP_PASSWORD"],
            settings["SMTP_STARTTLS"],
        )
    raise SettingsError(f"CMSREG_MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {kind!r}")
