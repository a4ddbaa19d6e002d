"""Reasons and notes people attach to decisions: one rule for every service that takes them."""

from __future__ import annotations

from registry.errors import Unprocessable

MAX_TEXT = 2000  # a paragraph or two; longer belongs in the pack's own docs


def required_reason(reason: str | None, why: str) -> str:
    """Return the reason stripped; 422 when it is blank (why says who needs it) or too long."""
    if not reason or not reason.strip():
        raise Unprocessable(f"Give a `reason`: {why}.", errors={"reason": ["required"]})
    return optional_text(reason, "reason") or ""


def optional_text(text: str | None, field: str) -> str | None:
    """Return text stripped (None when blank); 422 when longer than MAX_TEXT."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_TEXT:
        raise Unprocessable(
            f"Keep the {field} under {MAX_TEXT} characters.", errors={field: ["too long"]}
        )
    return text.strip()
