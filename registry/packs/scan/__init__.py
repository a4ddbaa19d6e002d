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

Size and hostile input. A text file is scanned in full whatever its size, a window of a
megabyte at a time with four kilobytes of context on either side (every rule reaches far less
far), so a value straddling two windows is found once, with its line, and a 200 MiB file costs
the memory of one window (see ``windows``); every pattern runs in linear time, and stopping at
``max_scan_bytes`` would only let a leak through. Inside a .docx or .xlsx, which we decompress
ourselves, at most ``max_scan_bytes`` of XML is read and at most ``max_scan_bytes`` characters of
text are produced (a shared string repeated in a million cells is a bomb too), and all the Office
files of a pack together read at most ``max_unpacked_bytes``; text goes to the scan as it is
parsed, never held whole (see ``officexml``). Beyond those bounds, or in a corrupt part, an
``unscanned`` warning says what was not read. XML declaring a DTD or entities is refused before
parsing, and so is XML nested or with tags deeper or longer than any Office file writes.
Each rule lists at most ``MAX_FINDINGS_PER_RULE`` findings per file, then one finding that counts
the rest; after ``HIT_LIMIT`` a rule stops looking, so a file of a million addresses costs no more
than one of a thousand. A pack lists at most ``MAX_FINDINGS_PER_PACK``, then one finding per rule
that counts the rest.

Speed. Text is scanned as bytes (every pattern is ASCII, and UTF-8 and Windows-1252 agree on
ASCII). A "shape" of the text, every digit turned into 9 and every letter into a, lets most
rules look for a literal such as ``9aa`` (the end of a postcode), which the regular expression
engine finds many times faster than a character class; the exact pattern then runs only there.

Modules: ``checkdigits``, ``masking``, ``rules`` (patterns and where values are),
``findings`` (messages and caps), ``sniff`` (text or not; encodings), ``windows`` (scanning a
long text a window at a time), ``text`` and ``tables`` (text files, CSV columns), ``xmlstream``,
``officexml`` and ``office`` (Word and Excel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..filetypes import EXCEL_EXTENSIONS, WORD_EXTENSIONS, extension
from ..limits import DEFAULT_LIMITS, Limits
from ..problems import Finding
from ..spool import PackContents
from .checkdigits import nhs_number_is_valid, ni_number_is_valid, upn_is_valid
from .findings import (
    BLOCKING_RULES,
    HIT_LIMIT,
    MAX_FINDINGS_PER_PACK,
    MAX_FINDINGS_PER_RULE,
    MESSAGES,
    WARNING_RULES,
    PackFindings,
)
from .findings import allowed as _allowed
from .masking import mask
from .office import office_findings
from .sniff import is_text, is_text_file
from .text import scan_text, text_findings
from .xmlstream import Budget

__all__ = [
    "BLOCKING_RULES",
    "HIT_LIMIT",
    "MAX_FINDINGS_PER_PACK",
    "MAX_FINDINGS_PER_RULE",
    "MESSAGES",
    "WARNING_RULES",
    "is_text_file",
    "mask",
    "nhs_number_is_valid",
    "ni_number_is_valid",
    "scan_files",
    "scan_pack",
    "scan_text",
    "upn_is_valid",
]


def scan_pack(
    files: PackContents, *, allowed_emails: Iterable[str] = (), limits: Limits = DEFAULT_LIMITS
) -> list[Finding]:
    """Scan every text file and every .docx/.xlsx, each read in chunks; sorted by (file, line, rule)."""
    allowed = _allowed(allowed_emails)
    findings = PackFindings()
    # A pack of small zips that each inflate to the per-file limit is a bomb too: all Office
    # files together decompress no more than the pack itself may hold unpacked.
    office_left = limits.max_unpacked_bytes
    for path in files:
        content = files.content(path)
        ext = extension(path)
        if ext in WORD_EXTENSIONS or ext in EXCEL_EXTENSIONS:
            if office_left < limits.max_scan_bytes:
                budget = Budget(max(office_left, 0), pack_limit=limits.max_unpacked_bytes)
            else:
                budget = Budget(limits.max_scan_bytes)
            findings.add(office_findings(path, content, allowed, budget))
            office_left -= budget.bytes_read
        elif is_text(path, content):
            findings.add(text_findings(path, content, allowed))
    return findings.result()


def scan_files(
    files: Mapping[str, bytes],
    *,
    allowed_emails: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> list[Finding]:
    """Scan files given as path -> bytes (or a pack's contents); findings sorted by (file, line, rule)."""
    contents = files if isinstance(files, PackContents) else PackContents.of(files)
    return scan_pack(contents, allowed_emails=allowed_emails, limits=limits)
