"""Check digits and issuing rules: what makes a number a real NHS number, UPN or NI number.

A value of the right shape is reported only when it passes these, so publishers can use
made-up numbers that fail them (999 999 9990) in examples.
"""

from __future__ import annotations

import re

_A = re.ASCII
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z without I, O and S
# First letter never D F I Q U V; second never D F I Q U V O.
NI = re.compile(
    rb"(?<![0-9A-Za-z])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d\d) ?(\d\d) ?(\d\d) ?([A-D])"
    rb"(?![0-9A-Za-z])",
    _A | re.IGNORECASE,
)
NI_NEVER_ISSUED = frozenset(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])


def nhs_number_is_valid(digits: str) -> bool:
    """Tell whether ten digits pass the NHS mod-11 check (and are not one digit repeated)."""
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()) or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_is_valid(upn: str) -> bool:
    """Tell whether a 13-character UPN has the right check letter."""
    upn = upn.upper()
    if not upn.isascii() or len(upn) != 13 or upn[0] not in UPN_LETTERS:
        return False
    if not upn[1:12].isdigit():
        return False
    last = upn[12]
    if not (last.isdigit() or last in UPN_LETTERS):
        return False
    values = [int(c) for c in upn[1:12]]
    values.append(int(last) if last.isdigit() else UPN_LETTERS.index(last))
    total = sum(position * value for position, value in enumerate(values, start=2))
    return UPN_LETTERS[total % 23] == upn[0]


def ni_number_is_valid(ni: str) -> bool:
    """Tell whether a National Insurance number has a form and prefix HMRC issues."""
    match = NI.fullmatch(re.sub(r"\s", "", ni).encode("ascii", "replace"))
    return match is not None and match[1].upper().decode() not in NI_NEVER_ISSUED
