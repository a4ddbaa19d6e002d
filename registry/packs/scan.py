"""The personal-data scan (SPEC §4): find what looks like a person's data before a pack goes public.

Every text file is scanned, and the text inside Word (.docx) and Excel (.xlsx) files: every XML
part (body, headers, footers, comments, tracked deletions, document properties, pivot caches,
which keep a deleted sheet's rows, drawings) and documents embedded in them, two levels deep.
A finding names the file, the line (in Office files the paragraph or row, with the part named
in the message) and the rule, never the value in full.

Rules. NHS numbers, Unique Pupil Numbers and National Insurance numbers *block* publication; the
rest are warnings that a moderator acknowledges.

- ``nhs-number``: ten digits, together or spaced/hyphenated 3-3-4, with a valid mod-11 check digit,
  not inside a longer run of digits or letters (12-digit numbers, GUIDs, hashes) nor the decimals
  of a number. Published test numbers are valid too and are reported like any other: a pack should
  carry nothing that looks real, and a synthetic number should fail the check digit. Ten identical
  digits (0000000000 to 9999999999) are not reported: every one of them passes mod 11, none is ever
  issued, and they are the usual blank placeholder.
- ``upn``: a check letter and twelve characters (LA number, establishment, year, serial; a
  temporary UPN ends in a letter) whose check letter is right (DfE: the sum of position x value
  over positions 2 to 13, mod 23, indexes ``ABCDEFGHJKLMNPQRTUVWXYZ``; a letter's value is its
  index there). The LA number is not checked against a list: new authorities get new numbers,
  and a stale list would let a real UPN through.
- ``ni-number``: two prefix letters, six digits and a suffix A to D, optionally spaced, with a
  prefix HMRC issues (HMRC's own example ``QQ 12 34 56 C`` is not one).
- ``postcode``: the six UK formats with the letters Royal Mail uses in each place, upper or lower
  case but not mixed, not inside an identifier.
- ``email``: any address except the manifest's maintainers (compared case-insensitively);
  placeholders too, since a moderator acknowledges warnings. Image names such as ``logo@2x.png``
  are not addresses.
- ``phone``: UK numbers of 10 or 11 digits starting 01, 02, 03, 07 or 08, in groups of at least
  three, also as +44 (with or without "(0)") and with a bracketed area code. An NHS number
  written like a phone number is reported as an NHS number only.
- ``dob``: a date (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, "3 March 2012", "March 3,
  2012") within 40 characters of a birth word ("DOB", "D.O.B", "date of birth", "birth date",
  "born", "DateOfBirth"), or on the same line within 200 characters; in CSV files and worksheets
  also any date (or Excel date number) under a date-of-birth column heading. A date alone is not
  a finding: configuration is full of dates.
- ``sql-person-id``: a person-id column (``PERSON_ID``, ``DIM_PERSON_ID``, ``PERSONID``,
  ``CLIENT_ID``, ``CHILD_ID`` ...) compared with literal numbers (``= 12345``, ``<> 7``,
  ``IN (1, 2, 3)``); not another column, a sub-query or a parameter. ``= 0`` is the usual "no
  person" sentinel and is not reported.
- ``unscanned``: part of a file could not be read (a corrupt or oversized .docx/.xlsx); what was
  read is still scanned, and the moderator checks the rest by hand.

Masking. ``mask`` keeps only enough for a person to find the value in the file:

==============  ======================  ==================================
rule            kept                    example
==============  ======================  ==================================
nhs-number      first 3, last 2 digits  ``943 *** **19``
upn             first char, last 2      ``B**********01``
ni-number       prefix and suffix       ``AB ** ** ** C``
postcode        outward code            ``SW1A ***``
email           first char and domain   ``j***@example.gov.uk``
phone           first 3, last 2 digits  ``077******00`` (+44 shown as 0)
dob             the year                ``**/**/2012``
sql-person-id   the column              ``PERSON_ID IN (***)``
==============  ======================  ==================================

Size and hostile input. A text file is scanned in full whatever its size: every pattern runs in
linear time and the bytes are already in memory, so stopping at ``max_scan_bytes`` would only let
a leak through. Inside a .docx or .xlsx, which we decompress ourselves, at most ``max_scan_bytes``
of XML is read and at most ``max_scan_bytes`` characters of text are produced (a shared string
repeated in a million cells is a bomb too), and all the Office files of a pack together read at
most ``max_unpacked_bytes``; beyond that, or in a corrupt part, an ``unscanned`` warning says what
was not read. XML declaring a DTD or entities is refused before parsing.
Each rule lists at most ``MAX_FINDINGS_PER_RULE`` findings per file, then one finding that counts
the rest; after ``HIT_LIMIT`` a rule stops looking, so a file of a million addresses costs no more
than one of a thousand.

Speed. Text is scanned as bytes (every pattern is ASCII, and UTF-8 and Windows-1252 agree on
ASCII). A "shape" of the text, every digit turned into 9 and every letter into a, lets most
rules look for a literal such as ``9aa`` (the end of a postcode), which the regular expression
engine finds many times faster than a character class; the exact pattern then runs only there.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Protocol
from xml.etree import ElementTree as ET

from registry.packs.limits import DEFAULT_LIMITS, Limits
from registry.packs.problems import Finding, Severity

BLOCKING_RULES: frozenset[str] = frozenset({"nhs-number", "upn", "ni-number"})
WARNING_RULES: frozenset[str] = frozenset(
    {"postcode", "email", "phone", "dob", "sql-person-id", "unscanned"}
)

# Enough to show a pattern to the moderator; thousands of findings help nobody and cost memory.
MAX_FINDINGS_PER_RULE = 50
# How many values of one rule in one file are counted before the scan stops looking for more.
HIT_LIMIT = 1000

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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- file kinds ---------------------------------------------------------------------------------

TEXT_EXTENSIONS = _words(
    """xml moform json yaml yml csv tsv tab psv sql txt text md markdown rst ini cfg conf config
    properties xsd xsl xslt rtf html htm log dat lst template tmpl j2 jinja toml eml"""
)
WORD_EXTENSIONS = _words("docx docm dotx dotm")
EXCEL_EXTENSIONS = _words("xlsx xlsm xltx xltm")
BINARY_EXTENSIONS = _words(
    """png jpg jpeg gif bmp tif tiff ico webp heic pdf zip gz tgz bz2 xz 7z rar tar
    doc xls ppt pptx pptm odt ods odp mp3 mp4 m4a wav avi mov wmv woff woff2 ttf otf eot
    exe dll msi jar class pyc so dylib bin db sqlite mdb accdb"""
)
_SNIFF_BYTES = 64 * 1024
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r" + bytes(range(0x80, 0x100))


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_text_file(path: str, data: bytes) -> bool:
    """Tell whether a file is text to scan: by extension, else by content."""
    ext = _extension(path)
    if ext in TEXT_EXTENSIONS:
        return True
    if ext in BINARY_EXTENSIONS or ext in WORD_EXTENSIONS or ext in EXCEL_EXTENSIONS:
        return False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # A Windows-1252 export (a "£", an "é") is still text. Binary formats without a single
        # NUL byte are rare, and scanning one costs less than missing a spreadsheet export.
        sample = data[:_SNIFF_BYTES]
        control = len(sample.translate(None, _PRINTABLE))
        return control <= 0.05 * len(sample)
    return True


def _scannable(data: bytes) -> bytes:
    """The bytes of a file to scan: ASCII-compatible, lines ended by LF."""
    sample = data[:_SNIFF_BYTES]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", "replace").encode("utf-8")
    elif sample.count(0) > len(sample) // 4:
        # UTF-16 without a byte order mark: read as it is, a NUL would sit between every two
        # digits and nothing would match.
        odd_zeros = sample[1::2].count(0)
        encoding = "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be"
        data = data.decode(encoding, "replace").encode("utf-8")
    # UTF-8, Windows-1252 and Latin-1 need nothing: every pattern is ASCII.
    return _lf(data)


def _lf(data: bytes) -> bytes:
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        # Old Mac exports end lines with a lone CR; count them as lines like everyone else does.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


# --- patterns -----------------------------------------------------------------------------------
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
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z without I, O and S
# Found by its digits, the letter before them checked by look-behind: "a" alone is too common a
# first byte to search for.
_UPN_SHAPE = re.compile(rb"99999999999(?:(?<=[^9a]a99999999999)|(?<=^a99999999999))[9a](?![9a])")
_NI_SHAPE = re.compile(rb"99 ?99 ?99 ?a(?![9a])")
# First letter never D F I Q U V; second never D F I Q U V O.
_NI = re.compile(
    rb"(?<![0-9A-Za-z])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d\d) ?(\d\d) ?(\d\d) ?([A-D])"
    rb"(?![0-9A-Za-z])",
    _A | re.IGNORECASE,
)
_NI_NEVER_ISSUED = _words("BG GB KN NK NT TN ZZ")
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


# --- check digits -------------------------------------------------------------------------------


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
    if not upn.isascii() or len(upn) != 13 or upn[0] not in _UPN_LETTERS:
        return False
    if not upn[1:12].isdigit():
        return False
    last = upn[12]
    if not (last.isdigit() or last in _UPN_LETTERS):
        return False
    values = [int(c) for c in upn[1:12]]
    values.append(int(last) if last.isdigit() else _UPN_LETTERS.index(last))
    total = sum(position * value for position, value in enumerate(values, start=2))
    return _UPN_LETTERS[total % 23] == upn[0]


def ni_number_is_valid(ni: str) -> bool:
    """Tell whether a National Insurance number has a form and prefix HMRC issues."""
    match = _NI.fullmatch(re.sub(r"\s", "", ni).encode("ascii", "replace"))
    return match is not None and match[1].upper().decode() not in _NI_NEVER_ISSUED


# --- masking ------------------------------------------------------------------------------------


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


# --- finding values in text ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int  # offset in the scanned bytes
    rule: str
    value: str  # the raw value, only ever passed to mask()


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("latin-1")


def _nhs_hits(data: bytes, shape: bytes) -> Iterator[_Hit]:
    for m in _NHS_SHAPE.finditer(shape):
        s, e = m.span()
        if nhs_number_is_valid(data[s:e].translate(None, b" -").decode("latin-1")):
            yield _Hit(s, "nhs-number", _text(data, s, e))


def _upn_hits(data: bytes, shape: bytes) -> Iterator[_Hit]:
    for m in _UPN_SHAPE.finditer(shape):
        s, e = m.start() - 1, m.end()
        value = _text(data, s, e)
        if upn_is_valid(value):
            yield _Hit(s, "upn", value)


def _exact_ending_at(
    pattern: re.Pattern[bytes], data: bytes, start: int, end: int
) -> re.Match[bytes] | None:
    """The match of pattern that starts at or after start and ends exactly at end, if any."""
    # One byte past end, so that the pattern's look-ahead sees what really follows.
    for m in pattern.finditer(data, max(0, start), min(len(data), end + 1)):
        if m.end() == end:
            return m
    return None


def _ni_hits(data: bytes, shape: bytes) -> Iterator[_Hit]:
    for c in _NI_SHAPE.finditer(shape):
        m = _exact_ending_at(_NI, data, c.start() - 3, c.end())
        if m is not None and m[1].upper().decode() not in _NI_NEVER_ISSUED:
            yield _Hit(m.start(), "ni-number", _text(data, *m.span()))


def _postcode_hits(data: bytes, shape: bytes) -> Iterator[_Hit]:
    for c in _POSTCODE_SHAPE.finditer(shape):
        m = _exact_ending_at(_POSTCODE, data, c.start() - 5, c.end())
        # One case throughout: "sw1a 1aa" and "SW1A 1AA" are postcodes, "Sw1a 1Aa" is a name.
        if m is not None and (m[0].isupper() or m[0].islower()):
            yield _Hit(m.start(), "postcode", _text(data, *m.span()))


def _email_hits(data: bytes, allowed: frozenset[str]) -> Iterator[_Hit]:
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
            yield _Hit(at - length, "email", value)


def _phone_hit(data: bytes, m: re.Match[bytes], digits: bytes) -> _Hit | None:
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
    return _Hit(m.start(), "phone", _text(data, m.start(), end))


def _phone_candidates(data: bytes) -> Iterator[_Hit | None]:
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


def _phone_hits(data: bytes, nhs: list[_Hit]) -> Iterator[_Hit]:
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


def _dob_hits(data: bytes) -> Iterator[_Hit]:
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
                yield _Hit(ds, "dob", _text(data, ds, de))


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


def _sql_hits(data: bytes) -> Iterator[_Hit]:
    for pattern in _SQL_COMPARISONS:
        for m in pattern.finditer(data):
            start = _column_before(data, m.start())
            # "= 0" is the usual "no person" sentinel, never someone's ID.
            if start is not None and int(m[2]) != 0:
                yield _Hit(start, "sql-person-id", _text(data, start, m.end()))
    for m in _SQL_IN.finditer(data):
        start = _column_before(data, m.start(), b"in")
        if start is not None:
            yield _Hit(start, "sql-person-id", _text(data, start, m.end()))


def _find(data: bytes, allowed: frozenset[str]) -> list[_Hit]:
    """The values in data that the rules report, at most HIT_LIMIT per rule, in no order."""
    shape = data.translate(_SHAPE)

    def first(hits: Iterator[_Hit]) -> list[_Hit]:
        # Once a rule has this many, more cannot change what the moderator sees: stop looking.
        return list(islice(hits, HIT_LIMIT))

    nhs = first(_nhs_hits(data, shape))
    return [
        *nhs,
        *first(_upn_hits(data, shape)),
        *first(_ni_hits(data, shape)),
        *first(_postcode_hits(data, shape)),
        *first(_email_hits(data, allowed)),
        *first(_phone_hits(data, nhs)),
        *first(_dob_hits(data)),
        *first(_sql_hits(data)),
    ]


# --- dates of birth in tables -------------------------------------------------------------------

_HEADER_ROWS = 10  # a heading further down than this is not a heading
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's phantom 29 Feb


def _birth_columns(cells: Mapping[int, str]) -> set[int]:
    return {
        col
        for col, value in cells.items()
        if len(value) <= 40 and _BIRTH.search(value.encode("utf-8", "replace"))
    }


def _cell_date(value: str, numeric: bool) -> str | None:
    """The date in a cell under a date-of-birth heading, as text for mask(), if there is one."""
    value = value.strip()
    if numeric:
        # Excel keeps dates as day numbers: 1 is 1 Jan 1900, 73050 is 31 Dec 2099.
        try:
            serial = float(value)
        except ValueError:
            return None
        if not 1 <= serial < 73051:
            return None
        return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()
    m = _DATE.search(value.encode("utf-8", "replace"))
    return m[0].decode("latin-1") if m and _parse_date(m) else None


class _TableDob:
    """Dates in the columns a heading row names as dates of birth (CSV and worksheet rows)."""

    def __init__(self) -> None:
        self.columns: set[int] = set()
        self.rows_seen = 0

    def row(self, cells: Mapping[int, str], numeric: frozenset[int] = frozenset()) -> list[str]:
        """Take one row; return the dates of birth in it."""
        self.rows_seen += 1
        if not self.columns:
            if self.rows_seen <= _HEADER_ROWS:
                self.columns = _birth_columns(cells)
            return []
        found = []
        for col in sorted(self.columns):
            if col in cells:
                date = _cell_date(cells[col], col in numeric)
                if date:
                    found.append(date)
        return found


def _csv_dob_lines(path: str, data: bytes) -> list[tuple[int, str]]:
    """(line, date) for dates under a date-of-birth heading in a CSV or TSV file."""
    head = data[:4096].lower()
    if not any(hint.search(head) for hint in _BIRTH_HINTS):
        return []
    text = data.decode("utf-8", "replace")
    first_line = text.split("\n", 1)[0]
    if _extension(path) in ("tsv", "tab") or "\t" in first_line:
        delimiter = "\t"
    elif first_line.count(";") > first_line.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    table = _TableDob()
    found = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            for date in table.row(dict(enumerate(row))):
                found.append((reader.line_num, date))
            if not table.columns and table.rows_seen > _HEADER_ROWS:
                break
    except csv.Error:
        pass  # a malformed row ends the table; the line-by-line rules have still run
    return found


# --- from values to findings --------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A paragraph or a worksheet row: one line of an Office file, and how to name it."""

    line: int
    where: str
    text: str


def _severity(rule: str) -> Severity:
    return "block" if rule in BLOCKING_RULES else "warn"


def _finding(path: str, line: int, rule: str, value: str, where: str = "") -> Finding:
    message = MESSAGES[rule]
    if where:
        message = f"In {where}: {message}"
    return Finding(path, line, rule, _severity(rule), mask(rule, value), message)


def _unscanned(path: str, reason: str) -> Finding:
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


def _capped(findings: list[Finding]) -> list[Finding]:
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


def _located(data: bytes, hits: list[_Hit]) -> Iterator[tuple[int, _Hit]]:
    """Each hit with its 1-based line number, in order of position."""
    line, pos = 1, 0
    for hit in sorted(hits, key=lambda h: h.start):
        line += data.count(b"\n", pos, hit.start)
        pos = hit.start
        yield line, hit


def _allowed(emails: Iterable[str]) -> frozenset[str]:
    return frozenset(e.strip().lower() for e in emails if e and e.strip())


def _text_findings(path: str, data: bytes, allowed: frozenset[str]) -> list[Finding]:
    found: list[Finding] = []
    seen: set[tuple[int, str, str]] = set()
    for line, hit in _located(data, _find(data, allowed)):
        f = _finding(path, line, hit.rule, hit.value)
        seen.add((f.line, f.rule, f.masked))
        found.append(f)
    if _extension(path) in ("csv", "tsv", "tab"):
        for line, date in _csv_dob_lines(path, data):
            f = _finding(path, line, "dob", date)
            if (f.line, f.rule, f.masked) not in seen:
                seen.add((f.line, f.rule, f.masked))
                found.append(f)
    return _capped(found)


def scan_text(path: str, text: str, *, allowed_emails: Iterable[str] = ()) -> list[Finding]:
    """Scan one text for personal data; findings sorted by line and rule."""
    data = _lf(text.encode("utf-8", "replace"))
    return _text_findings(path, data, _allowed(allowed_emails))


# --- Office files -------------------------------------------------------------------------------
# Word and Excel files are zips of XML that we decompress ourselves, so they are hostile input:
# declared sizes are not trusted, every byte read and every character produced counts against a
# budget, and XML that declares a DTD (where entity bombs live) is refused before parsing.

_READ_CHUNK = 64 * 1024
_MAX_PARTS = 1000  # parts read from one Office file
_MAX_ENTRIES = 10 * _MAX_PARTS  # names looked at in one Office file
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO "strict" documents
)
_S_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)


def _tags(namespaces: Iterable[str], *names: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{name}" for ns in namespaces for name in names)


_A_NAMESPACES = (
    "http://schemas.openxmlformats.org/drawingml/2006/main",  # text boxes, charts, SmartArt
    "http://purl.oclc.org/ooxml/drawingml/main",
)
_PARAGRAPH = _tags(_W_NAMESPACES, "p") | _tags(_A_NAMESPACES, "p")
# Deleted text (tracked changes) and field codes are still in the file.
_RUN_TEXT = _tags(_W_NAMESPACES, "t", "delText", "instrText") | _tags(_A_NAMESPACES, "t")
_TAB = _tags(_W_NAMESPACES, "tab")
_BREAK = _tags(_W_NAMESPACES, "br", "cr") | _tags(_A_NAMESPACES, "br")
_S_SI = _tags(_S_NAMESPACES, "si")
_S_T = _tags(_S_NAMESPACES, "t")
_S_RPH = _tags(_S_NAMESPACES, "rPh")  # phonetic guide text repeats the cell's own text
_S_ROW = _tags(_S_NAMESPACES, "row")
_S_C = _tags(_S_NAMESPACES, "c")
_S_V = _tags(_S_NAMESPACES, "v")
_S_F = _tags(_S_NAMESPACES, "f")


class _XmlTarget(Protocol):
    """What ElementTree's XMLParser calls as it reads: no tree is built."""

    units: list[_Unit]

    def start(self, tag: str, attrib: dict[str, str]) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...
    def close(self) -> None: ...


class _Unreadable(Exception):
    """Why (part of) an Office file could not be scanned, in words for the finding."""


class _Budget:
    """Bytes of XML one Office file may decompress and characters it may produce."""

    def __init__(self, limit: int, pack_limit: int | None = None) -> None:
        self.limit = limit
        self.bytes_left = limit
        self.chars_left = limit
        self.pack_limit = pack_limit  # set when what the whole pack may still read is less

    @property
    def bytes_read(self) -> int:
        """Bytes decompressed so far."""
        return self.limit - max(self.bytes_left, 0)

    def spend_bytes(self, n: int) -> None:
        self.bytes_left -= n
        if self.bytes_left < 0 and self.pack_limit is not None:
            raise _Unreadable(
                f"the pack's Word and Excel files together hold more than "
                f"{self.pack_limit:,} bytes of XML"
            )
        if self.bytes_left < 0:
            raise _Unreadable(f"it holds more than {self.limit:,} bytes of XML")

    def spend_chars(self, n: int) -> None:
        self.chars_left -= n
        if self.chars_left < 0:
            raise _Unreadable(f"it expands to more than {self.limit:,} characters of text")


def _part_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The decompressed bytes of one part, in chunks, until the budget runs out."""
    with zf.open(info) as fh:
        while True:
            # Ask for one byte more than is left so that an oversized part is noticed.
            chunk = fh.read(min(_READ_CHUNK, max(budget.bytes_left, 0) + 1))
            if not chunk:
                return
            within = chunk[: max(budget.bytes_left, 0)]
            if within:
                yield within  # what fits is still scanned
            budget.spend_bytes(len(chunk))


def _parse(chunks: Iterable[bytes], target: _XmlTarget) -> None:
    """Feed XML to target (start/end/data callbacks) without building a tree."""
    # defusedxml is not a dependency; the DTD check below refuses what it would refuse.
    parser = ET.XMLParser(target=target)  # noqa: S314
    tail = b""
    for chunk in chunks:
        window = tail + chunk[:32]
        if any(m in window for m in _DTD_MARKERS) or any(m in chunk for m in _DTD_MARKERS):
            raise _Unreadable("it declares a DTD or entities, which Office files never need")
        tail = chunk[-32:]
        try:
            parser.feed(chunk)
        except ET.ParseError as exc:
            raise _Unreadable(f"its XML is malformed ({exc})") from None
    try:
        parser.close()
    except ET.ParseError as exc:
        raise _Unreadable(f"its XML is malformed ({exc})") from None


class _OfficeText:
    """XML target for any Office part: each paragraph one unit, other text one unit an element.

    Paragraphs (w:p, a:p) keep only their runs' text, joined, so a number Word split across runs
    is whole again. Outside paragraphs every element's own text is a unit, and so is a "v"
    attribute: pivot caches keep a copy of the source rows there, even of a deleted sheet.
    """

    def __init__(self, label: str, budget: _Budget) -> None:
        self.label = label
        self.budget = budget
        self.units: list[_Unit] = []
        self._paragraphs: list[tuple[int, list[str]]] = []  # text boxes nest paragraphs
        self._elements: list[list[str] | None] = []  # per open element: its own text, if kept
        self._count = 0
        self._capture = 0

    def _add(self, text: str) -> None:
        self.budget.spend_chars(len(text))
        self._paragraphs[-1][1].append(text)

    def _emit(self, number: int, kind: str, parts: list[str]) -> None:
        text = "".join(parts)
        if text.strip():
            self.units.append(_Unit(number, f"{self.label}{kind} {number}", text))

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a paragraph, a run's text or another element; add a tab or a break."""
        if tag in _PARAGRAPH:
            self._count += 1
            self._paragraphs.append((self._count, []))
            self._elements.append(None)
        elif self._paragraphs:
            self._elements.append(None)
            if tag in _RUN_TEXT:
                self._capture += 1
            elif tag in _TAB:
                self._add("\t")
            elif tag in _BREAK:
                self._add(" ")
        else:
            own = [attrib["v"]] if attrib.get("v") else []
            self.budget.spend_chars(sum(map(len, own)))
            self._elements.append(own)

    def end(self, tag: str) -> None:
        """Close a paragraph, a run's text or another element, keeping what it held."""
        own = self._elements.pop() if self._elements else None
        if tag in _PARAGRAPH and self._paragraphs:
            number, parts = self._paragraphs.pop()
            self._emit(number, "paragraph", parts)
        elif tag in _RUN_TEXT and self._capture:
            self._capture -= 1
        elif own is not None:
            self._count += 1
            self._emit(self._count, "item", own)

    def data(self, text: str) -> None:
        """Collect a run's text, or an element's own text outside paragraphs."""
        if self._paragraphs:
            if self._capture > 0:
                self._add(text)
        elif self._elements and self._elements[-1] is not None:
            self.budget.spend_chars(len(text))
            self._elements[-1].append(text)

    def close(self) -> None:
        """Keep what a truncated part left open."""
        while self._paragraphs:
            number, parts = self._paragraphs.pop()
            self._emit(number, "paragraph", parts)
        self._elements.clear()


class _SharedStrings:
    """XML target collecting xl/sharedStrings.xml: one string per si, without phonetic runs."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.strings: list[str] = []
        self.units: list[_Unit] = []  # rows come from the worksheets that use the strings
        self._parts: list[str] | None = None
        self._capture = 0
        self._phonetic = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a string, a text run or a phonetic run."""
        if tag in _S_SI:
            self._parts = []
        elif tag in _S_RPH:
            self._phonetic += 1
        elif tag in _S_T:
            self._capture += 1

    def end(self, tag: str) -> None:
        """Close a string, a text run or a phonetic run."""
        if tag in _S_SI and self._parts is not None:
            self.strings.append("".join(self._parts))
            self._parts = None
        elif tag in _S_RPH:
            self._phonetic -= 1
        elif tag in _S_T:
            self._capture -= 1

    def data(self, text: str) -> None:
        """Collect string text."""
        if self._capture > 0 and not self._phonetic and self._parts is not None:
            self.budget.spend_chars(len(text))
            self._parts.append(text)

    def close(self) -> None:
        """Keep a string a truncated part left open."""
        if self._parts:
            self.strings.append("".join(self._parts))
        self._parts = None


def _column_index(ref: str | None, fallback: int) -> int:
    """A1 -> 0, AB7 -> 27; the next column when the reference is missing or odd."""
    if not ref:
        return fallback
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + (ord(char) - 64)
        elif "a" <= char <= "z":
            index = index * 26 + (ord(char) - 96)
        else:
            break
    return index - 1 if index > 0 else fallback


def _ascii_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _number_text(value: str) -> str:
    """A number as a person would type it: 9434765919, not 9.434765919E9 or 9434765919.0."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return value


class _Worksheet:
    """XML target turning each worksheet row into one unit, its cells separated by tabs."""

    def __init__(
        self,
        sheet: str,
        strings: list[str],
        used: set[int],
        budget: _Budget,
        on_dob: Callable[[int, str, str], None],
    ) -> None:
        self.sheet = sheet
        self.strings = strings
        self.used = used
        self.budget = budget
        self.on_dob = on_dob
        self.units: list[_Unit] = []
        self.table = _TableDob()
        self._row_number = 0
        self._cells: dict[int, str] | None = None
        self._numeric: set[int] = set()
        self._cell: dict[str, str] | None = None
        self._col = -1
        self._value: list[str] = []
        self._inline: list[str] = []
        self._formula: list[str] = []
        self._into: list[str] | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Open a row, a cell, or one of a cell's value, inline string or formula."""
        if tag in _S_ROW:
            r = _ascii_int(attrib.get("r", ""))
            self._row_number = r if r is not None else self._row_number + 1
            self._cells, self._numeric, self._col = {}, set(), -1
        elif tag in _S_C:
            self._cell = attrib
            self._col = _column_index(attrib.get("r"), self._col + 1)
            self._value, self._inline, self._formula = [], [], []
        elif self._cell is not None:
            if tag in _S_V:
                self._into = self._value
            elif tag in _S_F:
                self._into = self._formula
            elif tag in _S_T:
                self._into = self._inline

    def end(self, tag: str) -> None:
        """Resolve a cell's text, or emit a finished row."""
        if tag in _S_V or tag in _S_F or tag in _S_T:
            self._into = None
        elif tag in _S_C and self._cell is not None:
            self._end_cell()
        elif tag in _S_ROW and self._cells is not None:
            self._end_row()

    def data(self, text: str) -> None:
        """Collect the text of a value, inline string or formula."""
        if self._into is not None:  # counted per cell in _end_cell
            self._into.append(text)

    def close(self) -> None:
        """Keep a row a truncated part left open."""
        if self._cells:
            self._end_row()

    def _end_cell(self) -> None:
        kind = (self._cell or {}).get("t", "n")
        value = "".join(self._value)
        if kind == "s":
            index = _ascii_int(value)
            text = ""
            if index is not None and index < len(self.strings):
                self.used.add(index)
                text = self.strings[index]
        elif kind == "inlineStr":
            text = "".join(self._inline)
        elif kind == "n":
            text = _number_text(value) if value else ""
            if text:
                self._numeric.add(self._col)
        elif kind in ("b", "e"):
            text = ""
        else:  # "str" (a formula's text) and "d" (an ISO date)
            text = value
        formula = "".join(self._formula)
        if formula:  # a literal inside a formula is in the file too: =IF(A2=9434765919,…)
            text = f"{text} {formula}" if text else formula
        if self._cells is not None and text:
            self.budget.spend_chars(len(text))  # shared strings can be repeated: count each use
            self._cells[self._col] = text.replace("\n", " ").replace("\r", " ")
        self._cell = None

    def _end_row(self) -> None:
        cells = self._cells or {}
        where = f"{self.sheet} row {self._row_number}"
        if cells:
            self.units.append(_Unit(self._row_number, where, "\t".join(cells.values())))
        for date in self.table.row(cells, frozenset(self._numeric)):
            self.on_dob(self._row_number, where, date)
        self._cells = None


_WORD_PARTS = re.compile(r"word/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_SHEET_PARTS = re.compile(r"xl/worksheets/[^/]+\.xml")
_MAX_DEPTH = 2  # a workbook embedded in a document embedded in a document, and no deeper


def _part_label(name: str) -> str:
    """How a finding names a part: "header1 ", "sheet2 ", or the part's path for the rest."""
    if name == "word/document.xml":
        return ""
    if _WORD_PARTS.fullmatch(name) or _SHEET_PARTS.fullmatch(name):
        return name.rsplit("/", 1)[-1].rsplit(".", 1)[0] + " "
    return name + " "


def _by_number(name: str) -> tuple[str, int, str]:
    """Sort sheet2 before sheet10."""
    stem = re.sub(r"\d+", "", name)
    digits = re.sub(r"\D", "", name)
    return (stem, int(digits) if digits else 0, name)


def _read_part(
    zf: zipfile.ZipFile, name: str, target: _XmlTarget, budget: _Budget, problems: list[str]
) -> None:
    """Parse one part into target; what could not be read becomes a problem, never an error."""
    try:
        _parse(_part_chunks(zf, zf.getinfo(name), budget), target)
    except _Unreadable as exc:
        problems.append(f"{name}: {exc}")
    except Exception as exc:
        # Hostile zips fail in many ways (encrypted members, unknown compression, bad CRCs,
        # truncated streams); none of them may stop the scan of the rest.
        problems.append(f"{name}: it could not be read ({type(exc).__name__})")
    target.close()  # keep whatever a truncated part had already given


class _Office:
    """The text of one Word or Excel file, part by part, within one budget."""

    def __init__(self, budget: _Budget, problems: list[str]) -> None:
        self.budget = budget
        self.problems = problems
        self.units: list[_Unit] = []
        self.dobs: list[_Unit] = []  # dates under date-of-birth headings, one unit each
        self.parts_read = 0
        self.skipped: list[str] = []

    def _room(self, name: str) -> bool:
        spent = self.budget.bytes_left <= 0 or self.budget.chars_left <= 0
        if spent or self.parts_read >= _MAX_PARTS:
            self.skipped.append(name)
            return False
        self.parts_read += 1
        return True

    def read(self, zf: zipfile.ZipFile, kind: str, prefix: str = "", depth: int = 0) -> None:
        """Read every part of an open .docx (kind "word") or .xlsx (kind "excel")."""
        names = zf.namelist()
        if len(names) > _MAX_ENTRIES:
            # Sorting and matching a million names would cost more than any real file needs.
            self.problems.append(
                f"it has {len(names):,} parts and only the first {_MAX_ENTRIES:,} were looked at"
            )
            names = names[:_MAX_ENTRIES]
        xml = [n for n in names if n.lower().endswith(".xml") and n != "[Content_Types].xml"]
        if kind == "word":
            if "word/document.xml" not in names:
                self.problems.append("it has no word/document.xml, so it is not a Word document")
            first = [n for n in ["word/document.xml"] if n in names]
            first += sorted((n for n in xml if _WORD_PARTS.fullmatch(n)), key=_by_number)
        else:
            first = self._read_workbook(zf, names, prefix)
        done = set(first)
        for name in first if kind == "word" else []:
            self._text_part(zf, name, prefix)
        for name in sorted((n for n in xml if n not in done), key=_by_number):
            self._text_part(zf, name, prefix)
        for name in sorted(names, key=_by_number):
            self._embedded(zf, name, prefix, depth)

    def _text_part(self, zf: zipfile.ZipFile, name: str, prefix: str) -> None:
        if self._room(name):
            target = _OfficeText(prefix + _part_label(name), self.budget)
            _read_part(zf, name, target, self.budget, self.problems)
            self.units.extend(target.units)

    def _read_workbook(self, zf: zipfile.ZipFile, names: list[str], prefix: str) -> list[str]:
        """Read shared strings and worksheets; return the parts read."""
        strings = _SharedStrings(self.budget)
        if "xl/sharedStrings.xml" in names and self._room("xl/sharedStrings.xml"):
            _read_part(zf, "xl/sharedStrings.xml", strings, self.budget, self.problems)
        used: set[int] = set()

        def on_dob(line: int, where: str, date: str) -> None:
            self.dobs.append(_Unit(line, where, date))

        sheets = sorted((n for n in names if _SHEET_PARTS.fullmatch(n)), key=_by_number)
        if not sheets:
            self.problems.append("it has no worksheets, so it is not an Excel workbook")
        for name in sheets:
            if self._room(name):
                label = prefix + _part_label(name).strip()
                target = _Worksheet(label, strings.strings, used, self.budget, on_dob)
                _read_part(zf, name, target, self.budget, self.problems)
                self.units.extend(target.units)
        # Strings no cell uses are still in the file.
        for index, text in enumerate(strings.strings):
            if index not in used and text:
                where = f"{prefix}shared string {index + 1} (not used in any cell)"
                self.units.append(_Unit(index + 1, where, text))
        return ["xl/sharedStrings.xml", *sheets]

    def _embedded(self, zf: zipfile.ZipFile, name: str, prefix: str, depth: int) -> None:
        """A workbook or document embedded in this one is read too; other objects are named."""
        if not name.startswith(("word/embeddings/", "xl/embeddings/")) or name.endswith("/"):
            return
        ext = _extension(name)
        if ext not in WORD_EXTENSIONS and ext not in EXCEL_EXTENSIONS:
            self.problems.append(f"{name}: an embedded object that cannot be scanned")
            return
        if depth >= _MAX_DEPTH or not self._room(name):
            if depth >= _MAX_DEPTH:
                self.problems.append(f"{name}: embedded too deep to be scanned")
            return
        try:
            inner = b"".join(_part_chunks(zf, zf.getinfo(name), self.budget))
            with zipfile.ZipFile(io.BytesIO(inner)) as inner_zf:
                kind = "word" if ext in WORD_EXTENSIONS else "excel"
                self.read(inner_zf, kind, f"{prefix}{name} ", depth + 1)
        except _Unreadable as exc:
            self.problems.append(f"{name}: {exc}")
        except Exception as exc:
            self.problems.append(f"{name}: it could not be read ({type(exc).__name__})")


def _office_findings(
    path: str, data: bytes, allowed: frozenset[str], budget: _Budget
) -> list[Finding]:
    problems: list[str] = []
    office = _Office(budget, problems)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            office.read(zf, "word" if _extension(path) in WORD_EXTENSIONS else "excel")
    except Exception as exc:
        # Not a zip, a truncated one, a broken central directory: the moderator must look.
        problems.append(f"it could not be opened as a zip ({type(exc).__name__})")
    if office.skipped:
        names = ", ".join(office.skipped[:3]) + (", ..." if len(office.skipped) > 3 else "")
        problems.append(f"{len(office.skipped)} more parts ({names}) were not read")

    found: list[Finding] = []
    seen: set[tuple[int, str, str, str]] = set()
    units = office.units
    if units:
        # One unit a line; newlines inside a unit would shift every later line.
        text = "\n".join(u.text.replace("\n", " ").replace("\r", " ") for u in units)
        data = text.encode("utf-8", "replace")
        for index, hit in _located(data, _find(data, allowed)):
            unit = units[index - 1]
            f = _finding(path, unit.line, hit.rule, hit.value, unit.where)
            seen.add((f.line, f.rule, f.masked, unit.where))
            found.append(f)
    for unit in office.dobs:
        f = _finding(path, unit.line, "dob", unit.text, unit.where)
        if (f.line, f.rule, f.masked, unit.where) not in seen:
            found.append(f)
    found.extend(_unscanned(path, problem) for problem in problems)
    return _capped(found)


# --- the entry point ----------------------------------------------------------------------------


def scan_files(
    files: Mapping[str, bytes],
    *,
    allowed_emails: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> list[Finding]:
    """Scan every text file and every .docx/.xlsx; findings sorted by (file, line, rule)."""
    allowed = _allowed(allowed_emails)
    findings: list[Finding] = []
    # A pack of small zips that each inflate to the per-file limit is a bomb too: all Office
    # files together decompress no more than the pack itself may hold unpacked.
    office_left = limits.max_unpacked_bytes
    for path in sorted(files):
        data = files[path]
        ext = _extension(path)
        if ext in WORD_EXTENSIONS or ext in EXCEL_EXTENSIONS:
            if office_left < limits.max_scan_bytes:
                budget = _Budget(max(office_left, 0), pack_limit=limits.max_unpacked_bytes)
            else:
                budget = _Budget(limits.max_scan_bytes)
            findings.extend(_office_findings(path, data, allowed, budget))
            office_left -= budget.bytes_read
        elif is_text_file(path, data):
            findings.extend(_text_findings(path, _scannable(data), allowed))
    findings.sort(key=lambda f: (f.file, f.line, f.rule))
    return findings
