"""The personal-data scan: each rule finds what it should, misses what it should, never leaks."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from xml.sax.saxutils import escape

import pytest

from registry.packs.limits import Limits
from registry.packs.problems import Finding
from registry.packs.scan import (
    BLOCKING_RULES,
    MAX_FINDINGS_PER_RULE,
    is_text_file,
    mask,
    nhs_number_is_valid,
    ni_number_is_valid,
    scan_files,
    scan_text,
    upn_is_valid,
)


def found(
    text: str, rule: str | None = None, allowed_emails: tuple[str, ...] = ()
) -> list[Finding]:
    """Scan text as a .txt file, keeping the findings of one rule."""
    findings = scan_text("config/notes.txt", text, allowed_emails=allowed_emails)
    return [f for f in findings if rule is None or f.rule == rule]


def assert_hidden(finding: Finding, value: str) -> None:
    """The value must not appear in any text field, with or without its spaces and hyphens."""
    forms = {value, re.sub(r"[\s-]", "", value)}
    for field in dataclasses.astuple(finding):
        if isinstance(field, int):
            continue  # the line number
        for form in forms:
            assert form not in str(field), (form, finding)


def test_blocking_rules() -> None:
    assert frozenset({"nhs-number", "upn", "ni-number"}) == BLOCKING_RULES


# --- NHS numbers --------------------------------------------------------------------------------
# 943 476 5919: 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 299; 299 mod 11 = 2;
#   11 - 2 = 9, the last digit.
# 401 023 2137: 40 + 0 + 8 + 0 + 12 + 15 + 8 + 3 + 6 = 92; 92 mod 11 = 4; 11 - 4 = 7.
# 401 023 2110: 40 + 0 + 8 + 0 + 12 + 15 + 8 + 3 + 2 = 88; 88 mod 11 = 0; 11 - 0 = 11, which is 0.
# 401 023 217x: 40 + 0 + 8 + 0 + 12 + 15 + 8 + 3 + 14 = 100; 100 mod 11 = 1; 11 - 1 = 10: no
#   number starting 401 023 217 is valid.


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("943 476 5919", "943 *** **19"),
        ("943-476-5919", "943 *** **19"),
        ("9434765919", "943 *** **19"),
        ("401 023 2137", "401 *** **37"),
        ("4010232110", "401 *** **10"),
    ],
)
def test_nhs_number_with_valid_check_digit_blocks(value: str, masked: str) -> None:
    findings = found(f"Referral notes\nNHS number: {value} (from GP)\n")
    assert len(findings) == 1
    f = findings[0]
    assert (f.file, f.line, f.rule, f.severity, f.masked) == (
        "config/notes.txt",
        2,
        "nhs-number",
        "block",
        masked,
    )
    assert "NHS number" in f.message
    assert "check digit" in f.message
    assert_hidden(f, value)


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # check digit should be 9
        "943 476 5918",
        "4010232175",  # the check digit would be 10
        "4010232170",
        "0000000000",  # one digit ten times: passes mod 11, never issued
        "9999999999",
        "999 999 9990",  # the made-up number the message suggests
        "943 476-5919",  # two kinds of separator
        "94347659190",  # eleven digits
        "109434765919",  # twelve digits
        "ref 1 943 4765919 x",
        "51.9434765919",  # the decimals of a number
        "9434765919.25",
        "NHS9434765919",  # inside a word
        "9434765919ab",  # inside a hash or GUID
        "3f2504e0-4f89-11d3-9a0c-9434765919a1",
        "20240101123045",  # a timestamp
    ],
)
def test_nhs_lookalikes_are_not_nhs_numbers(text: str) -> None:
    assert found(text, "nhs-number") == []


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        (
            "config/forms/child.xml",
            '<?xml version="1.0"?>\n<child>\n  <NHSNumber>9434765919</NHSNumber>\n</child>\n',
            3,
        ),
        ("config/children.csv", "id,nhs_number,name\n1,9434765919,Test\n", 2),
        ("config/reports/q.sql", "SELECT *\nFROM CHILD\nWHERE NHS_NUMBER = '943 476 5919';\n", 3),
        (
            "docs/guide.md",
            "# Guide\n\n| field | example |\n| --- | --- |\n| NHS | 943-476-5919 |\n",
            5,
        ),
        ("config/sample.json", '{\n  "child": {\n    "nhs": "9434765919"\n  }\n}\n', 3),
    ],
)
def test_nhs_number_found_in_each_text_format(path: str, text: str, line: int) -> None:
    findings = scan_files({path: text.encode()})
    assert [(f.file, f.line, f.rule) for f in findings] == [(path, line, "nhs-number")]


def test_nhs_check_function() -> None:
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("1111111111")
    assert not nhs_number_is_valid("943476591")


# --- Unique Pupil Numbers -----------------------------------------------------------------------
# Check letter = ABCDEFGHJKLMNPQRTUVWXYZ[sum of position x value over positions 2-13, mod 23].
# B801200005001: 2x8 + 4x1 + 5x2 + 10x5 + 13x1 = 93; 93 mod 23 = 1 -> B.
# P207000016049: 2x2 + 4x7 + 9x1 + 10x6 + 12x4 + 13x9 = 266; 266 mod 23 = 13 -> P.
#   (One help page gives Q for this number: its sum slips to 267.)
# T93812345678A, temporary, A = 0: 2x9 + 3x3 + 4x8 + 5x1 + 6x2 + 7x3 + 8x4 + 9x5 + 10x6 + 11x7
#   + 12x8 + 13x0 = 407; 407 mod 23 = 16 -> T.
# G93812345678B, temporary, B = 1: 407 + 13 = 420; 420 mod 23 = 6 -> G.


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("B801200005001", "B**********01"),
        ("P207000016049", "P**********49"),
        ("T93812345678A", "T**********8A"),
        ("G93812345678B", "G**********8B"),
        ("b801200005001", "B**********01"),
    ],
)
def test_upn_with_valid_check_letter_blocks(value: str, masked: str) -> None:
    findings = found(f"pupil,upn\n1,{value}\n")
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "upn", "block", masked)
    ]
    assert "Unique Pupil Number" in findings[0].message
    assert_hidden(findings[0], value)
    assert_hidden(findings[0], value.upper())


@pytest.mark.parametrize(
    "text",
    [
        "A801200005001",  # should be B
        "Q207000016049",
        "T93812345678B",  # should be G
        "I801200005001",  # I is never a check letter
        "B80120000500S",  # nor S a temporary UPN's last letter
        "XB801200005001",  # inside a word
        "B8012000050011",  # fourteen characters
        "B80120000500",  # twelve
    ],
)
def test_upn_lookalikes_are_not_upns(text: str) -> None:
    assert found(text, "upn") == []


def test_ni_check_function() -> None:
    assert ni_number_is_valid("AB 12 34 56 C")
    assert not ni_number_is_valid("QQ 12 34 56 C")
    assert not ni_number_is_valid("TN123456A")


def test_upn_check_function() -> None:
    assert upn_is_valid("B801200005001")
    assert upn_is_valid("T93812345678A")
    assert not upn_is_valid("B801200005002")


# --- National Insurance numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("AB123456C", "AB ** ** ** C"),
        ("AB 12 34 56 C", "AB ** ** ** C"),
        ("JG 103759 A", "JG ** ** ** A"),
        ("OA123456D", "OA ** ** ** D"),  # O may come first, never second
        ("ce123456b", "CE ** ** ** B"),
    ],
)
def test_ni_number_blocks(value: str, masked: str) -> None:
    findings = found(f"Parent details\nNI: {value}\n")
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "ni-number", "block", masked)
    ]
    assert "National Insurance" in findings[0].message
    assert_hidden(findings[0], value)


@pytest.mark.parametrize(
    "text",
    [
        "QQ123456C",  # HMRC's own example: Q is never a first letter
        "QQ 12 34 56 C",
        "DA123456A",
        "FA123456A",
        "IA123456A",
        "UA123456A",
        "VA123456A",
        "AD123456A",  # D, F, I, Q, U, V or O never second
        "AO123456A",
        "AQ123456A",
        "BG123456A",  # never issued
        "GB123456A",
        "KN123456A",
        "NK123456A",
        "NT123456A",
        "TN123456A",
        "ZZ123456A",
        "AB123456E",  # suffix A to D only
        "AB12345C",
        "XAB123456C",
        "AB123456CD",
    ],
)
def test_ni_lookalikes_are_not_ni_numbers(text: str) -> None:
    assert found(text, "ni-number") == []


# --- postcodes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("M1 1AE", "M1 ***"),  # A9 9AA
        ("B33 8TH", "B33 ***"),  # A99 9AA
        ("W1A 0AX", "W1A ***"),  # A9A 9AA
        ("CR2 6XH", "CR2 ***"),  # AA9 9AA
        ("DN55 1PT", "DN55 ***"),  # AA99 9AA
        ("SW1A 1AA", "SW1A ***"),  # AA9A 9AA
        ("sw1a 1aa", "SW1A ***"),
        ("SW1A1AA", "SW1A ***"),
    ],
)
def test_postcode_warns(value: str, masked: str) -> None:
    findings = found(f"<address>\n  <postcode>{value}</postcode>\n</address>")
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "postcode", "warn", masked)
    ]
    assert_hidden(findings[0], value)


@pytest.mark.parametrize(
    "text",
    [
        "Q1 1AA",  # Q never starts a postcode
        "SW1A 1AC",  # C never in the inward code
        "Sw1A 1aA",  # mixed case: an identifier
        "FORM_SW1A 1AA",  # inside identifiers
        "SW1A 1AA_X",
        "XSW1A 1AA",
        "step 12 3rd",
        "version 1.2 3AB",
    ],
)
def test_postcode_lookalikes(text: str) -> None:
    assert found(text, "postcode") == []


# --- e-mail addresses ---------------------------------------------------------------------------


def test_email_warns_except_for_maintainers() -> None:
    text = (
        "Owner: csc-systems@example.gov.uk\n"
        "Contact jane.doe@example.gov.uk for access\n"
        "Also CSC-Systems@Example.GOV.UK\n"
    )
    findings = found(text, allowed_emails=("CSC-Systems@example.gov.uk",))
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "email", "warn", "j***@example.gov.uk")
    ]
    assert_hidden(findings[0], "jane.doe@example.gov.uk")
    assert_hidden(findings[0], "jane.doe")


def test_email_placeholders_still_warn() -> None:
    assert [f.masked for f in found("to: someone@example.com", "email")] == ["s***@example.com"]


@pytest.mark.parametrize(
    "text",
    ["logo@2x.png", "icon@3x.svg", "pkg@1.2.3", "@ReportStart", "a@b", "user@host.c", "@@"],
)
def test_email_lookalikes(text: str) -> None:
    assert found(text, "email") == []


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("020 7946 0000", "020******00"),
        ("0161 496 0000", "016******00"),
        ("01632 960000", "016******00"),
        ("07700 900000", "077******00"),
        ("07700900000", "077******00"),
        ("07700 900 000", "077******00"),
        ("0800 123 4567", "080******67"),
        ("0300-123-4567", "030******67"),
        ("+44 20 7946 0000", "020******00"),
        ("+44 (0)20 7946 0000", "020******00"),
        ("+447700900000", "077******00"),
        ("(01632) 960000", "016******00"),
        ("(020) 7946 0000", "020******00"),
    ],
)
def test_phone_warns(value: str, masked: str) -> None:
    findings = found(f"Out of hours team\nTel: {value}, 24 hours\n")
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "phone", "warn", masked)
    ]
    assert_hidden(findings[0], value)


def test_phone_followed_by_more_words_and_numbers() -> None:
    assert [f.masked for f in found("call 07700 900000 24 hours a day", "phone")] == ["077******00"]


@pytest.mark.parametrize(
    "text",
    [
        "01/02/2012",  # dates
        "2012-07-01",
        "01-02-2012 10:30",
        "01 02 2012 10 30",
        "v0.7.12345678",  # versions
        "1.07700900000",
        "3f2504e0-0712-3456-7890-0c0305e82c33",  # GUIDs
        "07700900-0000-4000-8000-000000000000",
        "943 476 5919",  # an NHS number
        "1700000000",  # a timestamp
        "020 79 46 00 00",  # groups too short
        "0770090000012",  # too many digits
        "077009000",  # too few
        "05700 900000",  # not 01, 02, 03, 07 or 08
        "x07700900000",  # inside an identifier
        "07700900000abc",
    ],
)
def test_phone_lookalikes(text: str) -> None:
    assert found(text, "phone") == []


@pytest.mark.parametrize("value", ["0123456789", "012 345 6789"])
def test_nhs_number_that_looks_like_a_phone_number_is_one_finding(value: str) -> None:
    # 0x10 + 1x9 + 2x8 + 3x7 + 4x6 + 5x5 + 6x4 + 7x3 + 8x2 = 156; 156 mod 11 = 2; 11 - 2 = 9.
    assert [f.rule for f in found(f"ref {value}")] == ["nhs-number"]


# --- dates of birth -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "DOB: 03/03/2012",
        "dob 3/3/2012",
        "D.O.B. 03.03.2012",
        "Date of birth: 2012-03-03",
        "Birth date 03-03-2012",
        "born on 3rd March 2012",
        "born March 3, 2012",
        "<DateOfBirth>2012-03-03T00:00:00</DateOfBirth>",
        '{"childDob": "2012-03-03"}',
        "child_dob=2012/03/03",
        "03/03/2012 (DOB)",
        "Child's date of birth, as recorded by the health visitor at the first visit: 03/03/2012",
    ],
)
def test_date_next_to_a_birth_word_warns(text: str) -> None:
    findings = found(f"Sample record\n{text}\n")
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (2, "dob", "warn", "**/**/2012")
    ]
    assert_hidden(findings[0], "03/03")
    assert_hidden(findings[0], "2012-03-03")


@pytest.mark.parametrize(
    "text",
    [
        "Review date: 03/03/2012",  # a date alone is configuration
        "Effective from 2012-03-03",
        "Adobe export 03/03/2012",  # "dob" inside a word
        "Place of birth recorded 03/03/2012",
        "DOB: 31/02/2012",  # no such day
        "DOB: 03/13/2012",
        "DOB: dd/mm/yyyy",
        "DOB" + " " * 300 + "03/03/2012",  # same line, too far
        "DOB field\n\n\n" + "x" * 60 + "\n03/03/2012",  # other line, too far
    ],
)
def test_dates_without_a_nearby_birth_word_are_not_dobs(text: str) -> None:
    assert found(text, "dob") == []


def test_dob_across_a_line_break_within_40_characters() -> None:
    findings = found("Date of birth:\n  03/03/2012\n")
    assert [(f.line, f.rule) for f in findings] == [(2, "dob")]


def test_dates_under_a_dob_column_heading_in_csv() -> None:
    rows = ["forename,surname,allocated worker,team,dob,postcode area"]
    rows += [f"Child{i},Test,Worker {i},Locality team north,0{i}/03/2012,AB" for i in range(1, 6)]
    findings = scan_files({"config/export.csv": "\n".join(rows).encode()})
    assert [(f.line, f.rule, f.masked) for f in findings] == [
        (line, "dob", "**/**/2012") for line in range(2, 7)
    ]


# --- person ids in SQL --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "masked"),
    [
        ("WHERE PERSON_ID IN (1, 2, 3)", "PERSON_ID IN (***)"),
        ("WHERE p.DIM_PERSON_ID = 12345", "DIM_PERSON_ID = ***"),
        ("AND PERSONID=42", "PERSONID = ***"),
        ("AND [CLIENT_ID] = '123'", "CLIENT_ID = ***"),
        ("AND child_id in (\n  101,\n  102)", "child_id IN (***)"),
        ('AND "PERSON_ID" NOT IN (7)', "PERSON_ID IN (***)"),
        ("AND PERSON_ID <> 7", "PERSON_ID = ***"),
        ("AND PERSON_ID != 7", "PERSON_ID = ***"),
        ("AND c.LA_CHILD_ID = 5001", "LA_CHILD_ID = ***"),
    ],
)
def test_person_id_compared_with_literals_warns(sql: str, masked: str) -> None:
    findings = scan_files({"config/reports/r.sql": f"SELECT *\nFROM PERSON p\n{sql};\n".encode()})
    assert [(f.line, f.rule, f.severity, f.masked) for f in findings] == [
        (3, "sql-person-id", "warn", masked)
    ]
    for number in re.findall(r"\d+", sql):
        assert_hidden(findings[0], number)


@pytest.mark.parametrize(
    "sql",
    [
        "WHERE a.DIM_PERSON_ID = cpp.DIM_PERSON_ID",
        "WHERE PERSON_ID IN (SELECT PERSON_ID FROM ALLOCATIONS)",
        "WHERE PERSON_ID = @PersonId",
        "WHERE PERSON_ID = :person_id",
        "WHERE PERSON_ID = ?",
        "WHERE PERSON_ID >= 100",
        "WHERE PERSON_ID <= 100",
        "WHERE PERSON_ID = 0",
        "WHERE REFERRAL_ID = 5",
        "WHERE PERSON_ID IS NULL AND STEP_ID IN (1, 2)",
        "SELECT MIN(1, 2) AS PERSON_ID",
        "SELECT PERSON_ID FROM T JOIN (1, 2)",
    ],
)
def test_person_id_without_literals_is_fine(sql: str) -> None:
    assert found(sql, "sql-person-id") == []


# --- lines, encodings and file kinds ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"a\nb\n9434765919\n", 3),
        (b"a\r\nb\r\n9434765919\r\n", 3),
        (b"a\rb\r9434765919\r", 3),  # old Mac line ends
        ("a\nb\n9434765919\n".encode("utf-16"), 3),
        ("a\nb\n9434765919\n".encode("utf-16-le"), 3),  # no byte order mark
        ("caf\xe9\n9434765919\n".encode("cp1252"), 2),
        (b"\xef\xbb\xbfname\n9434765919\n", 2),
    ],
)
def test_line_numbers_in_each_encoding(content: bytes, line: int) -> None:
    findings = scan_files({"config/data.csv": content})
    assert [(f.line, f.rule) for f in findings] == [(line, "nhs-number")]


@pytest.mark.parametrize(
    ("path", "data", "text"),
    [
        ("config/a.xml", b"\x00\x01binary", True),  # the extension decides
        ("config/a.MOFORM", b"<form/>", True),
        ("config/a.sql", b"select 1", True),
        ("docs/a.png", b"9434765919", False),
        ("docs/a.pdf", b"%PDF-1.7", False),
        ("config/a.docx", b"PK", False),  # scanned as a Word document instead
        ("config/a.unknown", b"plain words", True),
        ("config/Makefile", b"all:\n\techo hi\n", True),
        ("config/a.unknown", b"\x00\x01\x02", False),
        ("config/a.unknown", "words".encode("utf-16"), True),
        ("config/a.unknown", "caf\xe9 au lait".encode("cp1252"), True),
        ("config/a.unknown", bytes(range(1, 32)) * 10 + b"\xff", False),
    ],
)
def test_is_text_file(path: str, data: bytes, text: bool) -> None:
    assert is_text_file(path, data) is text


def test_binary_files_are_skipped_and_unknown_text_is_scanned() -> None:
    files = {
        "docs/screenshot.png": b"\x89PNG\r\n\x1a\n9434765919",
        "config/notes": b"NHS 9434765919",
    }
    assert [(f.file, f.rule) for f in scan_files(files)] == [("config/notes", "nhs-number")]


def test_findings_sorted_by_file_line_and_rule() -> None:
    files = {
        "b.txt": b"x\nSW1A 1AA 9434765919\n",
        "a.txt": b"jane@example.org\n\nAB123456C\n",
    }
    keys = [(f.file, f.line, f.rule) for f in scan_files(files)]
    assert keys == [
        ("a.txt", 1, "email"),
        ("a.txt", 3, "ni-number"),
        ("b.txt", 2, "nhs-number"),
        ("b.txt", 2, "postcode"),
    ]


def test_large_text_file_is_scanned_to_the_end() -> None:
    data = b"x" * 2000 + b"\n" + b"9434765919\n"
    findings = scan_files({"big.txt": data}, limits=Limits(max_scan_bytes=100))
    assert [(f.line, f.rule) for f in findings] == [(2, "nhs-number")]


def test_many_findings_are_capped_with_a_count() -> None:
    text = "\n".join(["9434765919"] * (MAX_FINDINGS_PER_RULE + 10))
    findings = found(text)
    assert len(findings) == MAX_FINDINGS_PER_RULE + 1
    assert [f.line for f in findings] == [*range(1, MAX_FINDINGS_PER_RULE + 2)]
    assert findings[-1].message.startswith("10 more")
    assert all(f.severity == "block" for f in findings)


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "value", "masked"),
    [
        ("nhs-number", "943 476 5919", "943 *** **19"),
        ("upn", "B801200005001", "B**********01"),
        ("ni-number", "QQ 12 34 56 C", "QQ ** ** ** C"),
        ("postcode", "SW1A 1AA", "SW1A ***"),
        ("email", "jane.doe@example.gov.uk", "j***@example.gov.uk"),
        ("phone", "+44 (0)20 7946 0000", "020******00"),
        ("dob", "3 March 2012", "**/**/2012"),
        ("dob", "2012-03-03", "**/**/2012"),
        ("sql-person-id", "PERSON_ID IN (1, 2, 3)", "PERSON_ID IN (***)"),
        ("sql-person-id", "DIM_PERSON_ID = 12345", "DIM_PERSON_ID = ***"),
    ],
)
def test_mask(rule: str, value: str, masked: str) -> None:
    assert mask(rule, value) == masked


def test_mask_refuses_an_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        mask("passport", "123")


# --- Word and Excel -----------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def zip_of(parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return buf.getvalue()


def paragraph(*runs: str) -> str:
    return (
        "<w:p>"
        + "".join(f'<w:r><w:t xml:space="preserve">{escape(run)}</w:t></w:r>' for run in runs)
        + "</w:p>"
    )


def docx(body: str, extra: dict[str, bytes | str] | None = None) -> bytes:
    document = f'{XML_DECLARATION}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    return zip_of(
        {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ),
            "word/document.xml": document,
            **(extra or {}),
        }
    )


def xlsx(rows: str, shared: list[str], sheets: int = 1) -> bytes:
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
    sheet = f'{XML_DECLARATION}<worksheet xmlns="{S}"><sheetData>{rows}</sheetData></worksheet>'
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{S}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships"><sheets><sheet name="Children" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/sharedStrings.xml": f'{XML_DECLARATION}<sst xmlns="{S}">{sst}</sst>',
    }
    for n in range(1, sheets + 1):
        parts[f"xl/worksheets/sheet{n}.xml"] = sheet
    return zip_of(parts)


def test_docx_paragraph_is_the_line() -> None:
    body = paragraph("Invitation letter") + paragraph("") + paragraph("Child NHS: 943 476 5919")
    findings = scan_files({"config/letter.docx": docx(body)})
    assert [(f.file, f.line, f.rule, f.severity, f.masked) for f in findings] == [
        ("config/letter.docx", 3, "nhs-number", "block", "943 *** **19")
    ]
    assert "paragraph 3" in findings[0].message
    assert_hidden(findings[0], "943 476 5919")


def test_docx_number_split_across_runs_is_found() -> None:
    # Word splits text into runs wherever formatting or spell-checking changed.
    body = paragraph("NHS ", "943 47", "6 5919")
    assert [f.rule for f in scan_files({"letter.docx": docx(body)})] == ["nhs-number"]


def test_docx_headers_footers_comments_and_deleted_text_are_scanned() -> None:
    deleted = "<w:p><w:del><w:r><w:delText>AB123456C</w:delText></w:r></w:del></w:p>"
    header = f'<w:hdr xmlns:w="{W}">{paragraph("Ref B801200005001")}</w:hdr>'
    comments = f'<w:comments xmlns:w="{W}"><w:comment>{paragraph("jo@example.org")}</w:comment>'
    data = docx(
        paragraph("Letter") + deleted,
        {"word/header1.xml": header, "word/comments.xml": comments + "</w:comments>"},
    )
    findings = scan_files({"t.docx": data})
    assert sorted((f.rule, f.line) for f in findings) == [
        ("email", 1),
        ("ni-number", 2),
        ("upn", 1),
    ]
    messages = {f.rule: f.message for f in findings}
    assert messages["upn"].startswith("In header1 paragraph 1:")
    assert messages["email"].startswith("In comments paragraph 1:")
    assert messages["ni-number"].startswith("In paragraph 2:")


def test_xlsx_row_is_the_line_and_numbers_in_cells_are_found() -> None:
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>9434765919</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>NI AB123456C</t></is></c></row>'
        '<row r="4"><c r="A4" t="s"><v>3</v></c></row>'
        '<row r="5"><c r="A5"><v>9.434765919E9</v></c></row>'
        '<row r="6"><c r="A6"><f>IF(B2=4010232137,1,0)</f><v>0</v></c></row>'
    )
    shared = ["Name", "NHS number", "Test child", "jane@example.org", "P207000016049"]
    findings = scan_files({"config/children.xlsx": xlsx(rows, shared)})
    got = [(f.line, f.rule, f.masked, f.message.split(":")[0]) for f in findings]
    assert got == [
        (2, "nhs-number", "943 *** **19", "In sheet1 row 2"),
        (3, "ni-number", "AB ** ** ** C", "In sheet1 row 3"),
        (4, "email", "j***@example.org", "In sheet1 row 4"),
        (5, "nhs-number", "943 *** **19", "In sheet1 row 5"),
        # a shared string no cell uses is still in the file
        (5, "upn", "P**********49", "In shared string 5 (not used in any cell)"),
        (6, "nhs-number", "401 *** **37", "In sheet1 row 6"),
    ]
    for f in findings:
        for value in ("9434765919", "AB123456C", "jane@example.org", "P207000016049"):
            assert_hidden(f, value)


def test_xlsx_dates_under_a_dob_heading_including_excel_day_numbers() -> None:
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>40971</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v>3</v></c></row>'
        '<row r="4"><c r="A4"><v>40971</v></c></row>'
    )
    shared = ["Child", "Date of birth", "Test", "03/03/2012"]
    findings = scan_files({"dobs.xlsx": xlsx(rows, shared)})
    # 40971 days after 30 Dec 1899 is 3 Mar 2012; the same number outside the column is not a date
    assert [(f.line, f.rule, f.masked) for f in findings] == [
        (2, "dob", "**/**/2012"),
        (3, "dob", "**/**/2012"),
    ]


def test_xlsx_pivot_cache_comments_and_text_boxes_are_scanned() -> None:
    # A pivot cache keeps the source rows even after the source sheet is deleted.
    cache = (
        f'<pivotCacheRecords xmlns="{S}" count="1"><r><n v="9434765919"/><s v="Test"/></r>'
        "</pivotCacheRecords>"
    )
    comments = (
        f'<comments xmlns="{S}"><commentList><comment ref="A1"><text><r><t>'
        "Call 07700 900000</t></r></text></comment></commentList></comments>"
    )
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    drawing = f'<xdr:wsDr xmlns:xdr="x" xmlns:a="{a}"><a:p><a:r><a:t>AB 12 34</a:t></a:r>'
    drawing += "<a:r><a:t> 56 C</a:t></a:r></a:p></xdr:wsDr>"
    data = xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["Open"])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts: dict[str, bytes | str] = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/pivotCache/pivotCacheRecords1.xml"] = cache
    parts["xl/comments1.xml"] = comments
    parts["xl/drawings/drawing1.xml"] = drawing
    findings = scan_files({"book.xlsx": zip_of(parts)})
    where = {f.rule: f.message.split(":")[0] for f in findings}
    assert where == {
        "nhs-number": "In xl/pivotCache/pivotCacheRecords1.xml item 1",
        "phone": "In xl/comments1.xml item 1",
        "ni-number": "In xl/drawings/drawing1.xml paragraph 1",
    }


def test_docx_properties_and_embedded_workbook_are_scanned() -> None:
    core = (
        '<cp:coreProperties xmlns:cp="c" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>jane.doe@example.gov.uk</dc:creator></cp:coreProperties>"
    )
    sheet = xlsx('<row r="3"><c r="A3"><v>9434765919</v></c></row>', [])
    data = docx(
        paragraph("See the embedded table."),
        {
            "docProps/core.xml": core,
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": sheet,
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0 old binary object",
        },
    )
    findings = scan_files({"letter.docx": data})
    got = sorted((f.rule, f.line, f.message.split(":")[0]) for f in findings)
    assert got == [
        ("email", 1, "In docProps/core.xml item 1"),
        ("nhs-number", 3, "In word/embeddings/Microsoft_Excel_Worksheet.xlsx sheet1 row 3"),
        ("unscanned", 1, "Part of this file was not scanned for personal data"),
    ]
    unscanned = [f for f in findings if f.rule == "unscanned"]
    assert "word/embeddings/oleObject1.bin" in unscanned[0].message


def test_documents_embedded_too_deep_are_not_opened() -> None:
    inner = docx(paragraph("9434765919"))
    for _ in range(3):
        inner = docx(paragraph("wrapper"), {"word/embeddings/inner.docx": inner})
    findings = scan_files({"nested.docx": inner})
    assert [f.rule for f in findings] == ["unscanned"]
    assert "too deep" in findings[0].message


def test_corrupt_docx_warns_and_does_not_raise() -> None:
    findings = scan_files({"config/letter.docx": b"this is not a zip at all"})
    assert [(f.rule, f.severity, f.line) for f in findings] == [("unscanned", "warn", 1)]
    assert "not scanned" in findings[0].message


def test_truncated_docx_warns() -> None:
    data = docx(paragraph("NHS 943 476 5919"))
    findings = scan_files({"letter.docx": data[: len(data) // 2]})
    assert [f.rule for f in findings] == ["unscanned"]


def test_docx_with_a_bad_crc_warns() -> None:
    body = paragraph("NHS 943 476 5919") + paragraph("padding " * 50)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        )
    data = bytearray(buf.getvalue())
    data[data.index(b"padding")] = ord("P")  # the stored bytes no longer match their CRC
    findings = scan_files({"letter.docx": bytes(data)})
    assert "unscanned" in [f.rule for f in findings]


@pytest.mark.parametrize(
    "document",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>",
        # an external entity
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>",
        # not XML at all
        "<w:document><w:body><w:p>",
    ],
)
def test_hostile_docx_xml_is_refused(document: str) -> None:
    data = zip_of({"word/document.xml": document})
    findings = scan_files({"letter.docx": data})
    assert [(f.rule, f.severity) for f in findings] == [("unscanned", "warn")]


def test_docx_part_larger_than_the_limit_is_scanned_up_to_it() -> None:
    body = paragraph("NHS 943 476 5919") + paragraph("x" * 50_000) + paragraph("AB123456C")
    findings = scan_files({"big.docx": docx(body)}, limits=Limits(max_scan_bytes=10_000))
    assert [f.rule for f in findings] == ["nhs-number", "unscanned"]
    assert "10,000 bytes" in findings[1].message


def test_zip_bomb_docx_stops_at_the_limit() -> None:
    # 64 MB of spaces inside one paragraph compresses to about 64 kB.
    document = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    document += b" " * (64 * 1024 * 1024) + b"943 476 5919</w:t></w:r></w:p></w:body></w:document>"
    data = zip_of({"word/document.xml": document})
    assert len(data) < 1024 * 1024
    findings = scan_files({"bomb.docx": data}, limits=Limits(max_scan_bytes=1024 * 1024))
    assert [f.rule for f in findings] == ["unscanned"]


def test_shared_string_repeated_in_many_cells_is_bounded() -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 2001))
    data = xlsx(cells, ["x" * 1000])
    findings = scan_files({"bomb.xlsx": data}, limits=Limits(max_scan_bytes=100_000))
    assert {f.rule for f in findings} == {"unscanned"}
    assert "100,000 characters" in findings[0].message


def test_office_files_of_one_pack_share_one_budget() -> None:
    letter = docx(paragraph("x" * 60_000) + paragraph("NHS 943 476 5919"))
    files = {"a.docx": letter, "b.docx": letter, "c.docx": letter}
    limits = Limits(max_scan_bytes=100_000, max_unpacked_bytes=150_000)
    findings = scan_files(files, limits=limits)
    assert [(f.file, f.rule) for f in findings] == [
        ("a.docx", "nhs-number"),
        ("b.docx", "nhs-number"),
        ("c.docx", "unscanned"),
    ]
    assert "together hold more than 150,000 bytes" in findings[-1].message


def test_office_file_with_too_many_parts_warns() -> None:
    parts: dict[str, bytes | str] = {f"customXml/item{i}.txt": "" for i in range(10_001)}
    data = docx(paragraph("NHS 943 476 5919"), parts)
    findings = scan_files({"many.docx": data})
    assert sorted(f.rule for f in findings) == ["nhs-number", "unscanned"]


def test_docx_without_a_document_warns() -> None:
    findings = scan_files({"empty.docx": zip_of({"hello.txt": "hi"})})
    assert [f.rule for f in findings] == ["unscanned"]


def test_clean_office_files_have_no_findings() -> None:
    files = {
        "letter.docx": docx(paragraph("Dear «name»,") + paragraph("Conference on «date».")),
        "lookups.xlsx": xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["Open"]),
    }
    assert scan_files(files) == []


# --- pathological input -------------------------------------------------------------------------

MB = 1024 * 1024


@pytest.mark.parametrize(
    "text",
    [
        "9" * MB,
        "943 476 5919 " * (MB // 13),
        "a@a.a" * (MB // 5),
        "a" * MB + "@example.org",
        "a@" + "a." * (MB // 2),
        "dob " * (MB // 4),
        "DOB 01/01/2000 " * (MB // 15),
        "= 1 " * (MB // 4),
        "person_id in (1, " * (MB // 17),
        "SW1A 1AA " * (MB // 9),
        "0" + " 123" * (MB // 4),
        "0-" * (MB // 2),
        " " * MB + "person_id = 5",
        "a1" * (MB // 2),
        "+44" * (MB // 3),
        "(0" * (MB // 2),
    ],
)
def test_pathological_lines_finish(text: str) -> None:
    findings = scan_files({"long.txt": text.encode()})
    assert len(findings) <= 8 * (MAX_FINDINGS_PER_RULE + 1)
