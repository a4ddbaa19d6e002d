"""Masking: a finding shows only enough of a value for a person to find it in the file."""

from __future__ import annotations

import re


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _phone_national(value: str) -> str:
    """The number as dialled in the UK: +44 (0)20 ... becomes 020 ...."""
    value = value.strip()
    if value.startswith("+44"):
        return "0" + _digits(value[3:].replace("(0)", "", 1))
    return _digits(value)


def _mask_sql(value: str) -> str:
    m = re.match(r"[A-Za-z0-9_]+", value)
    column = m[0] if m else "person ID"
    listed = re.search(r"\bin\s*\(", value, re.IGNORECASE) is not None
    return f"{column} IN (***)" if listed else f"{column} = ***"


def mask(rule: str, value: str) -> str:
    """Return value with most of it hidden, as findings show it (see the module docstring)."""
    compact = re.sub(r"\s", "", value)
    if rule == "nhs-number":
        d = _digits(value)
        return f"{d[:3]} *** **{d[-2:]}" if len(d) == 10 else "*** *** ****"
    if rule == "upn":
        up = compact.upper()
        return up[:1] + "*" * 10 + up[-2:] if len(up) == 13 else "*************"
    if rule == "ni-number":
        up = compact.upper()
        return f"{up[:2]} ** ** ** {up[-1:]}" if len(up) == 9 else "** ** ** ** *"
    if rule == "postcode":
        up = compact.upper()
        return f"{up[:-3]} ***" if 5 <= len(up) <= 7 else "*** ***"
    if rule == "email":
        local, _, domain = value.strip().rpartition("@")
        return f"{local[:1]}***@{domain.lower()}"
    if rule == "phone":
        d = _phone_national(value)
        return d[:3] + "*" * (len(d) - 5) + d[-2:] if len(d) >= 10 else "*" * len(d)
    if rule == "dob":
        years = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", value)
        return f"**/**/{years[-1] if years else '****'}"
    if rule == "sql-person-id":
        return _mask_sql(value.strip())
    raise ValueError(f"unknown rule {rule!r}")
