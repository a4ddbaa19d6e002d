"""From values to findings: severities, messages, masking, and how many are listed."""

from __future__ import annotations

from collections.abc import Iterable

from ..problems import Finding, Severity
from .masking import mask

BLOCKING_RULES: frozenset[str] = frozenset({"nhs-number", "upn", "ni-number"})
WARNING_RULES: frozenset[str] = frozenset(
    {"postcode", "email", "phone", "dob", "sql-person-id", "unscanned"}
)

# Enough to show a pattern to the moderator; thousands of findings help nobody and cost memory.
MAX_FINDINGS_PER_RULE = 50
# How many values of one rule in one file are counted before the scan stops looking for more.
HIT_LIMIT = 1000
# Findings listed for a whole pack; beyond, each rule's are counted in one more finding. A
# moderator acknowledges every warning one by one, and 2,000 files of findings would cost the
# worker as much memory as the files themselves.
MAX_FINDINGS_PER_PACK = 1000

MESSAGES = {
    "nhs-number": (
        "Looks like an NHS number (valid check digit). Remove it, or replace it with a made-up "
        "number that fails the check digit, such as 999 999 9990: a pack must not carry anything "
        "that looks real, published test numbers included."
    ),
    "upn": (
        "Looks like a Unique Pupil Number (valid check letter). Remove it, or replace it with a "
        "made-up value whose check letter is wrong."
    ),
    "ni-number": (
        "Looks like a National Insurance number (a prefix HMRC issues). Remove it, or use a "
        "prefix that is never issued, as in HMRC's example QQ 12 34 56 C."
    ),
    "postcode": (
        "Looks like a UK postcode. Remove it if it is part of a person's address; an office "
        "address can stay once the moderator has checked it."
    ),
    "email": (
        "Looks like an e-mail address that is not one of the pack's maintainers. Remove it if it "
        "is a person's; a team mailbox can stay once the moderator has checked it."
    ),
    "phone": (
        "Looks like a UK phone number. Remove it if it is a person's; a switchboard or team "
        "number can stay once the moderator has checked it."
    ),
    "dob": (
        "Looks like a date of birth (a date next to a birth word or under a date-of-birth "
        "heading). Remove it, or use a placeholder such as dd/mm/yyyy."
    ),
    "sql-person-id": (
        "SQL compares a person ID with literal numbers, often a debugging filter left in. Remove "
        "the filter or use a parameter such as :person_id."
    ),
}


def severity(rule: str) -> Severity:
    """block for the rules that can never be published, warn for the rest."""
    return "block" if rule in BLOCKING_RULES else "warn"


def finding(path: str, line: int, rule: str, value: str, where: str = "") -> Finding:
    """The finding for a value: masked, with what to do, and where in an Office file it is."""
    message = MESSAGES[rule]
    if where:
        message = f"In {where}: {message}"
    return Finding(path, line, rule, severity(rule), mask(rule, value), message)


def unscanned(path: str, reason: str) -> Finding:
    """The warning that part of a file could not be read, and why."""
    return Finding(
        path,
        1,
        "unscanned",
        "warn",
        "",
        f"Part of this file was not scanned for personal data: {reason}. Check it by hand, or "
        "save it again from Word or Excel and upload it again.",
    )


def _line_rule(f: Finding) -> tuple[int, str]:
    return (f.line, f.rule)


def capped(findings: list[Finding]) -> list[Finding]:
    """Sorted by line and rule, at most MAX_FINDINGS_PER_RULE per rule, then one for the rest."""
    by_rule: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=_line_rule):
        by_rule.setdefault(f.rule, []).append(f)
    out: list[Finding] = []
    for items in by_rule.values():
        out.extend(items[:MAX_FINDINGS_PER_RULE])
        if len(items) > MAX_FINDINGS_PER_RULE:
            extra = items[MAX_FINDINGS_PER_RULE]
            more = len(items) - MAX_FINDINGS_PER_RULE
            count = f"At least {more}" if len(items) >= HIT_LIMIT else f"{more}"
            message = (
                f"{count} more like this in this file are not listed one by one. "
                f"{MESSAGES.get(extra.rule, '')}"
            )
            out.append(
                Finding(extra.file, extra.line, extra.rule, extra.severity, extra.masked, message)
            )
    return sorted(out, key=_line_rule)


def allowed(emails: Iterable[str]) -> frozenset[str]:
    """The manifest's maintainers' addresses, as the e-mail rule compares them."""
    return frozenset(e.strip().lower() for e in emails if e and e.strip())


class PackFindings:
    """Every file's findings, at most MAX_FINDINGS_PER_PACK listed and the rest counted by rule."""

    def __init__(self) -> None:
        self._listed: list[Finding] = []
        self._more: dict[str, tuple[int, Finding]] = {}  # rule -> (how many, the first)

    def add(self, findings: Iterable[Finding]) -> None:
        """Take one file's findings."""
        for f in findings:
            if len(self._listed) < MAX_FINDINGS_PER_PACK:
                self._listed.append(f)
            else:
                count, first = self._more.get(f.rule, (0, f))
                self._more[f.rule] = (count + 1, first)

    def result(self) -> list[Finding]:
        """The findings sorted by (file, line, rule), then one for each rule's unlisted ones."""
        out = sorted(self._listed, key=lambda f: (f.file, f.line, f.rule))
        for rule, (count, first) in sorted(self._more.items()):
            message = (
                f"{count} more findings like this in the pack are not listed one by one "
                f"(the first is here). {MESSAGES.get(rule, '')}"
            ).strip()
            out.append(Finding(first.file, first.line, rule, first.severity, first.masked, message))
        return out
