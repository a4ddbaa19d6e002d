"""Large files are read, scanned and kept in bounded memory, and nothing is missed at the seams.

Text is scanned a window at a time (registry.packs.scan.windows): a value across the boundary
between two windows is found once, with its line. Word and Excel text is scanned as it is
parsed, with bounds on what is held. Memory is measured with tracemalloc around the real code.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

import pytest

from registry.packs.build import build_tar_gz, build_zip
from registry.packs.limits import Limits, MiB
from registry.packs.scan import HIT_LIMIT, MAX_FINDINGS_PER_PACK, scan_files, scan_pack
from registry.packs.scan.officexml import MAX_CELL_CHARS, SHARED_STRINGS_KEPT
from registry.packs.scan.rules import REACH
from registry.packs.scan.windows import MAX_UNITS, WINDOW
from registry.packs.slots import Busy, validation_slot
from registry.packs.spool import MEMORY_FILE, SPOOL_MEMORY, Content, Spool
from registry.packs.validate import validate_upload
from tests.packs.manifests import pack_files

NHS = "943 476 5919"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def filler(size: int) -> bytes:
    """size bytes of harmless configuration lines, without a final newline issue."""
    line = b"CIN01,Child in need plan review,Locality team North,open,weekly\n"
    return (line * (size // len(line) + 1))[:size]


def peak_of(work: Callable[[], object]) -> int:
    """The most memory Python allocated while work ran, above what was allocated before."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        work()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


# --- Text across window boundaries ----------------------------------------------------------------


@pytest.mark.parametrize("offset", [-12, -6, -1, 0, 1, REACH - 5, REACH + 3])
def test_value_straddling_a_window_boundary_is_found_once_with_its_line(offset: int) -> None:
    before = filler(WINDOW + offset)
    data = before + f" NHS {NHS} here\n".encode() + filler(3 * WINDOW)
    findings = scan_files({"config/big.txt": data})
    line = before.count(b"\n") + 1
    assert [(f.line, f.rule, f.masked) for f in findings] == [(line, "nhs-number", "943 *** **19")]


def test_date_of_birth_split_from_its_birth_word_by_a_window_boundary() -> None:
    before = filler(WINDOW - 10)
    data = before + b" Date of birth: 03/03/2012\n" + filler(WINDOW)
    findings = scan_files({"config/notes.txt": data})
    assert [(f.line, f.rule) for f in findings] == [(before.count(b"\n") + 1, "dob")]


def test_values_in_every_window_keep_their_line_numbers() -> None:
    lines = []
    for window in range(4):
        lines.append(filler(WINDOW // 2))
        lines.append(f"contact jane{window}@example.org\n".encode())
    data = b"".join(lines)
    found = [(f.line, f.masked) for f in scan_files({"a.txt": data})]
    expected, line = [], 1
    for piece in lines:
        if piece.startswith(b"contact"):
            expected.append((line, "j***@example.org"))
        line += piece.count(b"\n")
    assert found == expected and len(found) == 4


def test_a_rule_stops_after_its_limit_across_windows() -> None:
    data = (b"AB123456C " * (WINDOW // 10)) * 3  # 300,000 NI numbers over three windows
    findings = scan_files({"ni.txt": data})
    assert {f.rule for f in findings} == {"ni-number"}
    assert f"At least {HIT_LIMIT - 50} more" in findings[-1].message


def test_line_ends_split_between_chunks_are_counted_once() -> None:
    # CR LF with the CR at the end of one 64 KiB chunk and the LF at the start of the next.
    first = b"x" * (64 * 1024 - 1) + b"\r"
    data = first + b"\n" + NHS.encode() + b"\r\n"
    assert [(f.line, f.rule) for f in scan_files({"a.txt": data})] == [(2, "nhs-number")]


def test_csv_date_of_birth_column_far_down_a_large_file() -> None:
    rows = [b"code,Date of birth,team\n"] + [b"A,n/a,North\n"] * 200_000 + [b"B,03/03/2012,X\n"]
    findings = scan_files({"config/children.csv": b"".join(rows)})
    assert [(f.line, f.rule, f.masked) for f in findings] == [(200_002, "dob", "**/**/2012")]


def test_pack_lists_at_most_its_limit_of_findings_and_counts_the_rest() -> None:
    files = {f"config/{i:03}.txt": b"SW1A 1AA\n" * 20 for i in range(100)}
    findings = scan_files(files)
    listed = findings[:-1]
    assert len(listed) == MAX_FINDINGS_PER_PACK
    assert findings[-1].rule == "postcode"
    assert findings[-1].message.startswith("1000 more findings like this in the pack")


# --- Memory ---------------------------------------------------------------------------------------


def test_scanning_a_large_text_file_takes_a_few_windows_of_memory() -> None:
    spool = Spool()
    content = spool.write(filler(1024 * 1024) for _ in range(40))  # 40 MiB, on disk
    files = {"config/big.csv": content}
    from registry.packs.spool import PackContents

    pack = PackContents(files, spool)
    peak = peak_of(lambda: scan_pack(pack))
    pack.close()
    assert peak < 8 * WINDOW, f"{peak / MiB:.1f} MiB"


def test_scanning_a_word_file_of_many_paragraphs_takes_bounded_memory() -> None:
    paragraph = f"<w:p><w:r><w:t>{escape('Strategy discussion held')}</w:t></w:r></w:p>"
    count = 6 * MAX_UNITS  # 5.5 MiB of XML
    body = paragraph * count + f"<w:p><w:r><w:t>NHS {NHS}</w:t></w:r></w:p>"
    document = f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    data = zip_of({"word/document.xml": document})
    findings: list = []
    peak = peak_of(lambda: findings.extend(scan_files({"letter.docx": data})))
    assert [(f.line, f.rule) for f in findings] == [(count + 1, "nhs-number")]
    assert f"paragraph {count + 1}" in findings[0].message
    # What is held is a window of text and the paragraphs in it, not the document's text.
    assert peak < 6 * MiB, f"{peak / MiB:.1f} MiB for {len(document) / MiB:.1f} MiB of XML"


def test_spool_keeps_small_packs_in_memory_and_the_rest_on_disk() -> None:
    spool = Spool()
    small = spool.write([b"a" * 100])
    big = spool.write([b"b" * (MEMORY_FILE // 2)] * 3)
    assert small.read() == b"a" * 100 and big.read() == b"b" * (MEMORY_FILE // 2 * 3)
    assert b"".join(big.chunks(1000)) == big.read() and big.head(3) == b"bbb"
    with big.open() as file:
        file.seek(-2, 2)
        assert file.read() == b"bb"
    # Once the pack's memory is used, even small files go to disk.
    many = [spool.write([b"c" * (MEMORY_FILE - 1)]) for _ in range(SPOOL_MEMORY // MEMORY_FILE + 2)]
    assert all(c.read() == b"c" * (MEMORY_FILE - 1) for c in many)
    spool.close()
    assert small.read() == b"a" * 100  # in memory still
    with pytest.raises(ValueError):
        big.read()


def test_content_of_bytes_reads_like_spooled_content() -> None:
    content = Content.of(b"0123456789")
    assert list(content.chunks(4)) == [b"0123", b"4567", b"89"] and content.size == 10


# --- Word and Excel bounds ------------------------------------------------------------------------


def zip_of(parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return buf.getvalue()


def workbook(rows: str, shared: list[str]) -> bytes:
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
    return zip_of(
        {
            "xl/workbook.xml": f'<workbook xmlns="{S}"/>',
            "xl/sharedStrings.xml": f'<sst xmlns="{S}">{sst}</sst>',
            "xl/worksheets/sheet1.xml": (
                f'<worksheet xmlns="{S}"><sheetData>{rows}</sheetData></worksheet>'
            ),
        }
    )


def test_xml_tag_longer_than_any_office_file_writes_is_not_read() -> None:
    cache = f'<pivotCacheRecords xmlns="{S}"><r><s v="{"x" * (2 * MiB)}"/></r></pivotCacheRecords>'
    data = zip_of({"xl/workbook.xml": "<workbook/>", "xl/pivotCache/records1.xml": cache})
    messages = [f.message for f in scan_files({"book.xlsx": data}) if f.rule == "unscanned"]
    assert any("XML tag longer than" in m for m in messages)


def test_xml_nested_deeper_than_any_office_file_is_not_read() -> None:
    document = f'<w:document xmlns:w="{W}">' + "<w:x>" * 10_000 + "</w:x>" * 10_000
    data = zip_of({"word/document.xml": document + "</w:document>"})
    findings = scan_files({"deep.docx": data})
    assert [f.rule for f in findings] == ["unscanned"]
    assert "nests more than" in findings[0].message


def test_part_compressed_with_bzip2_is_not_read() -> None:
    document = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body>'
    data = zip_of({"word/document.xml": document + "</w:document>"}, zipfile.ZIP_BZIP2)
    findings = scan_files({"letter.docx": data})
    assert [f.rule for f in findings] == ["unscanned"]
    assert "method other than deflate" in findings[0].message


def test_cell_longer_than_excel_allows_is_read_up_to_the_limit() -> None:
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is><t>NHS {NHS} {"x" * MAX_CELL_CHARS}</t></is></c></row>'
    findings = scan_files({"book.xlsx": workbook(rows, [])})
    assert [f.rule for f in findings] == ["nhs-number", "unscanned"]
    assert "more than Excel allows" in findings[1].message


def test_shared_strings_beyond_what_is_kept_are_still_scanned() -> None:
    filler_string = "y" * 1000
    count = SHARED_STRINGS_KEPT // 1000 + 10
    shared = [filler_string] * count + [f"Child {NHS} {filler_string}"]
    rows = f'<row r="1"><c r="A1" t="s"><v>{count}</v></c></row>'
    data = workbook(rows, shared)
    findings = scan_files({"book.xlsx": data}, limits=Limits(max_scan_bytes=64 * MiB))
    assert [(f.rule, f.line) for f in findings] == [("nhs-number", count + 1)]
    assert f"shared string {count + 1}" in findings[0].message


# --- Uploads: slots -------------------------------------------------------------------------------


def test_upload_waits_for_a_slot_and_is_turned_away_when_none_frees() -> None:
    limits = Limits(max_concurrent_validations=1, validation_wait_seconds=0)
    data = build_zip(pack_files()).data
    with validation_slot(limits), pytest.raises(Busy) as caught:
        validate_upload(io.BytesIO(data), "pack.zip", limits)
    assert "busy" in str(caught.value) and "again" in str(caught.value)
    with validate_upload(io.BytesIO(data), "pack.zip", limits) as report:  # the slot is free
        assert report.ok


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_before_scan_sees_the_checked_manifest_and_can_stop_the_upload(build) -> None:
    seen = []

    class Refused(Exception):
        pass

    def before_scan(manifest: dict) -> None:
        seen.append((manifest["publisher"], manifest["name"], manifest["version"]))
        raise Refused

    data = build(pack_files(depends=...) | {"config/c.csv": f"A,{NHS}\n".encode()}).data
    with pytest.raises(Refused):
        validate_upload(io.BytesIO(data), "pack", before_scan=before_scan)
    assert seen == [("hertfordshire", "family-safeguarding-cp-workflow", "1.2.0")]


def test_before_scan_is_not_called_for_a_manifest_with_problems() -> None:
    called = []
    data = build_zip(pack_files(version="one")).data
    report = validate_upload(io.BytesIO(data), "pack.zip", before_scan=called.append)
    assert not called and [p.where for p in report.problems] == ["version"]
