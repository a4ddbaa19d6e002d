"""Commit and tag messages the store writes, and reading back the facts they record.

User text (approver, note) goes only into message bodies, never into identity lines or
headers; the facts the store reads back are trailer lines it writes last.
"""

from __future__ import annotations

import unicodedata

from .errors import InvalidRef

MAX_APPROVER = 200
MAX_NOTE = 10_000
APPROVED_BY = "Approved-by: "
SUBMISSION = "Submission: "


def _printable(text: str, keep: str) -> str:
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cc")


def clean_approver(approver: object) -> str:
    """Return approver as one trimmed line of text, or raise when it is empty."""
    if not isinstance(approver, str):
        raise InvalidRef("approver must be text")
    line = _printable(" ".join(approver.split()), "")  # line breaks become spaces
    if not line or len(line) > MAX_APPROVER:
        raise InvalidRef(f"approver must be 1 to {MAX_APPROVER} characters on one line")
    return line


def clean_note(note: object) -> str:
    """Return note with unified line ends and without control characters other than tab."""
    if not isinstance(note, str):
        raise InvalidRef("note must be text")
    text = _printable(note.replace("\r\n", "\n").replace("\r", "\n"), "\n\t").strip()
    if len(text) > MAX_NOTE:
        raise InvalidRef(f"note is longer than {MAX_NOTE} characters")
    return text


def submission_message(publisher: str, name: str, submission_id: str) -> str:
    """Return the commit message of a submission branch."""
    return f"Submit {publisher}/{name}\n\n{SUBMISSION}{submission_id}\n"


def parse_submission_message(message: str) -> tuple[str, str] | None:
    """Return (publisher, name) from a submission commit message, or None."""
    title = message.split("\n", 1)[0]
    if not title.startswith("Submit ") or title.count("/") != 1:
        return None
    publisher, name = title[len("Submit ") :].split("/")
    return publisher, name


def approval_commit_message(publisher: str, name: str, version: str, submission_id: str) -> str:
    """Return the message of the commit an approval tags."""
    return f"Approve {publisher}/{name} {version}\n\n{SUBMISSION}{submission_id}\n"


def approval_tag_message(
    publisher: str, name: str, version: str, approver: str, note: str, submission_id: str
) -> str:
    """Return the annotated tag message: title, the note, then approver and submission trailers."""
    body = f"{note}\n\n" if note else ""
    return (
        f"{publisher}/{name} {version}\n\n{body}"
        f"{APPROVED_BY}{approver}\n{SUBMISSION}{submission_id}\n"
    )


def parse_approval(message: str) -> tuple[str | None, str, str | None]:
    """Return (approver, note, submission id) from a tag message the store wrote."""
    lines = message.rstrip("\n").split("\n")
    if len(lines) < 4 or not (
        lines[-1].startswith(SUBMISSION) and lines[-2].startswith(APPROVED_BY)
    ):
        return None, "\n".join(lines[2:]).strip("\n"), None
    note = "\n".join(lines[2:-2]).strip("\n")
    return lines[-2][len(APPROVED_BY) :], note, lines[-1][len(SUBMISSION) :]
