"""The rules: where each kind of personal data is found in ASCII-compatible bytes.

Every exact pattern either starts with a literal or runs only where a literal search on the
shape of the text (every digit turned into 9, every letter into a) found a candidate, and uses
bounded or possessive repeats, so a megabyte of digits, of "a@a.a" or of "dob" is scanned in
linear time. `find` runs them all on one window of a longer text.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .checkdigits import NI, NI_NEVER_ISSUED, nhs_number_is_valid, upn_is_valid
from .findings import HIT_LIMIT

# Longest reach of any rule around where its value starts: a birth word up to DOB_SAME_LINE
# before or after a date, a column name _BACK_SCAN before "=", an e-mail's local part, a value
# itself; four kilobytes leave room for long values too (a domain, a run of phone groups). A
# window is scanned with this much of its neighbours on either side.
REACH = 4096


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every exact pattern either starts with a literal or runs only where a literal search on the
# shape found a candidate, and uses bounded or possessive repeats: a megabyte of digits, of
# "a@a.a" or of "dob" is scanned in linear time.

_SHAPE = bytes(
    ord("9") if 0x30 <= i <= 0x39 else ord("a") if 0x41 <= i <= 0x5A or 0x61 <= i <= 0x7A else i
    for i in range(256)
)
_A = re.ASCII

# Ten digits, or 3-3-4 with one kind of separator, on the shape: not after a letter, a digit or
# "9." (the decimals of 51.5074456789), not before a letter, a digit or ".9".
_NHS_SHAPE = re.compile(
    rb"999(?<![9a]999)(?<!9\.999)(?:9999999|(?P<sep>[ -])999(?P=sep)9999)(?![9a]|\.9)"
)
# Found by its digits, the letter before them checked by look-behind: "a" alone is too common a
# first byte to search for.
_UPN_SHAPE = re.compile(rb"99999999999(?:(?<=[^9a]a99999999999)|(?<=^a99999999999))[9a](?![9a])")
_NI_SHAPE = re.compile(rb"99 ?99 ?99 ?a(?![9a])")
_POSTCODE_SHAPE = re.compile(rb"9aa(?![9a_])")
# Outward A9, A99, A9A, AA9, AA99, AA9A with the letters Royal Mail uses in each place; inward 9AA.
_POSTCODE = re.compile(
    rb"(?<![0-9A-Za-z_])"
    rb"([A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    rb" ?([0-9][ABD-HJLNP-UW-Z]{2})"
    rb"(?![0-9A-Za-z_])",
    _A | re.IGNORECASE,
)
_EMAIL_DOMAIN = re.compile(rb"@([A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++)")
_EMAIL_LOCAL = bytes(
    ord("L") if chr(i).isascii() and (chr(i).isalnum() or chr(i) in "._%+-") else ord(" ")
    for i in range(256)
)
_NOT_EMAIL_TLDS = _words("png jpg jpeg gif svg webp bmp ico pdf xml json js css html htm txt csv")
# Numbers may be followed by a space and more text, not by a letter or an identifier.
_PHONE_END = rb"((?:[ -]\d++)*+)(?![A-Za-z_]|[-.][0-9A-Za-z])"
_PHONE_DOMESTIC = re.compile(
    rb"0(?<![0-9A-Za-z_.+/\\]0)(?<![0-9A-Za-z][-.]0)([12378]\d*+)" + _PHONE_END
)
_PHONE_INTL = re.compile(rb"\+44(?<![0-9A-Za-z_.+/\\]\+44) ?(?:\(0\) ?)?([12378]\d*+)" + _PHONE_END)
_PHONE_BRACKETED = re.compile(rb"\((?<![0-9A-Za-z_]\()(0[12378]\d*+)\) ?(\d++)" + _PHONE_END)
_PHONE_GROUP = re.compile(rb"([ -])(\d+)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ],
        start=1,
    )
    for name in names.split()
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_DATE = re.compile(
    (
        r"(?<![0-9A-Za-z/.\-])(?:"
        rf"(?P<d1>[0-3]?\d)(?P<s1>[/.\-])(?P<m1>[01]?\d)(?P=s1)(?P<y1>{_YEAR})"
        rf"|(?P<y2>{_YEAR})(?P<s2>[/.\-])(?P<m2>[01]?\d)(?P=s2)(?P<d2>[0-3]?\d)"
        rf"|(?P<d3>{_DAY}) +(?P<n3>{_MONTH})\.?,? +(?P<y3>{_YEAR})"
        rf"|(?P<n4>{_MONTH})\.? +(?P<d4>{_DAY}),? +(?P<y4>{_YEAR})"
        # An ISO date may go on into a time (2012-03-03T00:00:00); nothing else may follow.
        r")(?:(?=T\d)|(?![0-9A-Za-z/\-]|\.\d))"
    ).encode(),
    _A | re.IGNORECASE,
)
# "DOB" also inside identifiers (ChildDOB, child_dob, childDob) but not inside words (adobe).
_BIRTH = re.compile(
    rb"(?i:date[ _\-]?of[ _\-]?birth|birth[ _\-]?date|birthday|\bborn\b)"
    rb"|(?<![A-Za-z])[Dd]\.?[Oo]\.?[Bb](?![a-z])"
    rb"|(?<=[a-z])(?:DOB|Dob(?![a-z]))",
    _A,
)
_BIRTH_HINTS = tuple(re.compile(hint) for hint in (rb"birth", rb"born", rb"dob", rb"d\.o\.b"))
DOB_NEAR = 40  # characters between a birth word and a date, across line breaks
DOB_SAME_LINE = 200  # characters between them on one line
_DATE_WIDTH = 24  # longer than any date the pattern matches
_PERSON_STEMS = _words(
    "person client child pupil patient serviceuser service_user resident citizen"
)
_PERSON_ID_ENDINGS = tuple(
    f"{stem}{sep}id".encode() for stem in sorted(_PERSON_STEMS) for sep in ("_", "")
)
# One pattern per operator: an alternation would lose the fast search for its first byte.
_SQL_COMPARISONS = tuple(
    re.compile(op + rb"[ \t\n\r]*+('?)(\d++)\1(?![\w.])", _A) for op in (rb"=", rb"<>")
)
_SQL_IN = re.compile(rb"\([ \t\n\r]*+'?(\d++)'?[ \t\n\r]*+[,)]")
_IDENTIFIER = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_SPACE = frozenset(b" \t\r\n")
_BACK_SCAN = 200  # how far back from "=" or "(" a column name may start


@dataclass(frozen=True)
class Hit:
    """A value one rule reports, where it starts in the bytes scanned."""

    start: int  # offset in the scanned bytes
    rule: str
    value: str  # the raw value, only ever passed to mask()


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("latin-1")


def _nhs_hits(data: bytes, shape: bytes) -> Iterator[Hit]:
    for m in _NHS_SHAPE.finditer(shape):
        s, e = m.span()
        if nhs_number_is_valid(data[s:e].translate(None, b" -").decode("latin-1")):
            yield Hit(s, "nhs-number", _text(data, s, e))


def _upn_hits(data: bytes, shape: bytes) -> Iterator[Hit]:
    for m in _UPN_SHAPE.finditer(shape):
        s, e = m.start() - 1, m.end()
        value = _text(data, s, e)
        if upn_is_valid(value):
            yield Hit(s, "upn", value)


def _exact_ending_at(
    pattern: re.Pattern[bytes], data: bytes, start: int, end: int
) -> re.Match[bytes] | None:
    """The match of pattern that starts at or after start and ends exactly at end, if any."""
    # One byte past end, so that the pattern's look-ahead sees what really follows.
    for m in pattern.finditer(data, max(0, start), min(len(data), end + 1)):
        if m.end() == end:
            return m
    return None


def _ni_hits(data: bytes, shape: bytes) -> Iterator[Hit]:
    for c in _NI_SHAPE.finditer(shape):
        m = _exact_ending_at(NI, data, c.start() - 3, c.end())
        if m is not None and m[1].upper().decode() not in NI_NEVER_ISSUED:
            yield Hit(m.start(), "ni-number", _text(data, *m.span()))


def _postcode_hits(data: bytes, shape: bytes) -> Iterator[Hit]:
    for c in _POSTCODE_SHAPE.finditer(shape):
        m = _exact_ending_at(_POSTCODE, data, c.start() - 5, c.end())
        # One case throughout: "sw1a 1aa" and "SW1A 1AA" are postcodes, "Sw1a 1Aa" is a name.
        if m is not None and (m[0].isupper() or m[0].islower()):
            yield Hit(m.start(), "postcode", _text(data, *m.span()))


def _email_hits(data: bytes, allowed: frozenset[str]) -> Iterator[Hit]:
    for m in _EMAIL_DOMAIN.finditer(data):
        at = m.start()
        # The local part: the run of allowed characters before "@", at most 64 of them.
        before = data[max(0, at - 65) : at].translate(_EMAIL_LOCAL)
        length = len(before) - 1 - before.rfind(b" ")
        if length == 0 or length > 64:
            continue
        tld = m[1].rsplit(b".", 1)[-1]
        if len(tld) < 2 or not tld.isalpha() or tld.lower().decode() in _NOT_EMAIL_TLDS:
            continue
        value = _text(data, at - length, m.end())
        if value.lower() not in allowed:
            yield Hit(at - length, "email", value)


def _phone_hit(data: bytes, m: re.Match[bytes], digits: bytes) -> Hit | None:
    """A phone number from its first digits and the groups after them (the last match group)."""
    rest_start = m.start(m.lastindex or 0)
    end = rest_start
    # Take following groups while they look like parts of a number; a short group after a
    # space ("07700 900000 24 hours") ends it, a hyphenated run that grows too long is no number.
    for group in _PHONE_GROUP.finditer(m[m.lastindex or 0]):
        if len(group[2]) < 3 or len(digits) + len(group[2]) > 11:
            if group[1] == b"-":
                return None
            break
        digits += group[2]
        end = rest_start + group.end()
    if not 10 <= len(digits) <= 11:
        return None
    return Hit(m.start(), "phone", _text(data, m.start(), end))


def _phone_candidates(data: bytes) -> Iterator[Hit | None]:
    for m in _PHONE_DOMESTIC.finditer(data):
        if len(m[1]) >= 2:  # 0 and an area code of at least two digits
            yield _phone_hit(data, m, b"0" + m[1])
    if b"+44" in data:
        for m in _PHONE_INTL.finditer(data):
            if len(m[1]) >= 2:
                yield _phone_hit(data, m, b"0" + m[1])
    for m in _PHONE_BRACKETED.finditer(data):
        if len(m[1]) >= 3 and len(m[2]) >= 3:
            yield _phone_hit(data, m, m[1] + m[2])


def _phone_hits(data: bytes, nhs: list[Hit]) -> Iterator[Hit]:
    """UK numbers of 10-11 digits, in groups of at least 3, not overlapping an NHS number."""
    taken = sorted((h.start, h.start + len(h.value)) for h in nhs)
    starts = [s for s, _ in taken]
    for hit in _phone_candidates(data):
        if hit is None:
            continue
        i = bisect_right(starts, hit.start + len(hit.value)) - 1
        if i >= 0 and taken[i][1] > hit.start:
            continue  # an NHS number written like a phone number is reported as the former
        yield hit


def _day(text: bytes) -> int:
    return int(text.rstrip(b"stndrhSTNDRH"))  # "3rd" -> 3


def _parse_date(m: re.Match[bytes]) -> dt.date | None:
    try:
        if m["y1"]:
            return dt.date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
        if m["y2"]:
            return dt.date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
        if m["y3"]:
            return dt.date(int(m["y3"]), _MONTHS[m["n3"].lower().decode()], _day(m["d3"]))
        return dt.date(int(m["y4"]), _MONTHS[m["n4"].lower().decode()], _day(m["d4"]))
    except ValueError:
        return None


def _merged(spans: Iterable[tuple[int, int]], before: int, after: int) -> list[tuple[int, int]]:
    """Sorted spans widened by before and after, overlapping ones joined."""
    windows: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        lo, hi = max(0, s - before), e + after
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


def _birth_words(data: bytes) -> list[tuple[int, int]]:
    """Where birth words are: found as lower-case literals, then checked exactly around them."""
    lowered = data.lower()
    hints = [m.span() for hint in _BIRTH_HINTS for m in hint.finditer(lowered)]
    # "date of birth" starts 8 before "birth"; "birth date" ends 10 after it.
    return [m.span() for lo, hi in _merged(hints, 10, 12) for m in _BIRTH.finditer(data, lo, hi)]


def _close_enough(data: bytes, left: int, right: int) -> bool:
    gap = max(0, right - left)
    if gap <= DOB_NEAR:
        return True
    return gap <= DOB_SAME_LINE and data.find(b"\n", left, right) < 0


def _dob_hits(data: bytes) -> Iterator[Hit]:
    births = _birth_words(data)
    starts = [s for s, _ in births]
    # Dates are looked for only near birth words.
    reach = DOB_SAME_LINE + _DATE_WIDTH
    for lo, hi in _merged(births, reach, reach):
        for m in _DATE.finditer(data, lo, hi):
            if _parse_date(m) is None:
                continue
            ds, de = m.span()
            i = bisect_left(starts, ds)
            # The nearest birth word before the date, and the nearest after it.
            if (i > 0 and _close_enough(data, births[i - 1][1], ds)) or (
                i < len(births) and _close_enough(data, de, births[i][0])
            ):
                yield Hit(ds, "dob", _text(data, ds, de))


def _column_before(data: bytes, pos: int, keyword: bytes = b"") -> int | None:
    """Start of the person-id column written before pos (and before keyword, e.g. b"in")."""
    floor = max(0, pos - _BACK_SCAN)
    i = pos
    if not keyword and i > 0 and data[i - 1] in b"<>":
        return None  # "<=" and ">=" are ranges, not people
    if not keyword and i > 0 and data[i - 1] in b"=!":
        i -= 1  # "==" and "!="
    while i > floor and data[i - 1] in _SPACE:
        i -= 1
    if keyword:
        if data[max(0, i - len(keyword)) : i].lower() != keyword:
            return None
        i -= len(keyword)
        if i > 0 and data[i - 1] in _IDENTIFIER:
            return None  # "join (" or "min(" is not "in ("
        while i > floor and data[i - 1] in _SPACE:
            i -= 1
        if data[max(0, i - 3) : i].lower() == b"not":
            i -= 3
            while i > floor and data[i - 1] in _SPACE:
                i -= 1
    if i > 0 and data[i - 1] in b"]\"`'":
        i -= 1  # [PERSON_ID], "PERSON_ID", `person_id`
    end = i
    while i > floor and data[i - 1] in _IDENTIFIER:
        i -= 1
    if i == end or not data[i:end].lower().endswith(_PERSON_ID_ENDINGS):
        return None
    return i


def _sql_hits(data: bytes) -> Iterator[Hit]:
    for pattern in _SQL_COMPARISONS:
        for m in pattern.finditer(data):
            start = _column_before(data, m.start())
            # "= 0" is the usual "no person" sentinel, never someone's ID.
            if start is not None and int(m[2]) != 0:
                yield Hit(start, "sql-person-id", _text(data, start, m.end()))
    for m in _SQL_IN.finditer(data):
        start = _column_before(data, m.start(), b"in")
        if start is not None:
            yield Hit(start, "sql-person-id", _text(data, start, m.end()))


def find(
    data: bytes, allowed: frozenset[str], wanted: dict[str, int], lo: int, hi: int
) -> list[Hit]:
    """Values starting in data[lo:hi] that the rules report, at most wanted[rule] of each.

    The bytes around lo:hi are context only: a value starting there is another window's. Counts
    in wanted go down by what is returned; a rule down to 0 is not run at all.
    """
    shape = data.translate(_SHAPE)

    def first(rule: str, hits: Iterable[Hit]) -> list[Hit]:
        # Once a rule has this many, more cannot change what the moderator sees: stop looking.
        if wanted[rule] <= 0:
            return []
        found = list(islice((h for h in hits if lo <= h.start < hi), wanted[rule]))
        wanted[rule] -= len(found)
        return found

    # Every NHS number in the window, reported or not, keeps a phone number off its digits.
    nhs = list(islice(_nhs_hits(data, shape), HIT_LIMIT))
    return [
        *first("nhs-number", nhs),
        *first("upn", _upn_hits(data, shape)),
        *first("ni-number", _ni_hits(data, shape)),
        *first("postcode", _postcode_hits(data, shape)),
        *first("email", _email_hits(data, allowed)),
        *first("phone", _phone_hits(data, nhs)),
        *first("dob", _dob_hits(data)),
        *first("sql-person-id", _sql_hits(data)),
    ]
