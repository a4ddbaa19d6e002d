"""Reading a zip upload: its central directory checked before zipfile trusts it, each file spooled.

Only stored and deflated entries are read, entries whose data overlap (the trick behind
non-recursive zip bombs) are refused, and every byte decompressed is counted as it is produced.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from typing import BinaryIO

from ..filetypes import Found
from ..limits import Limits
from ..problems import FatalPackError, Problem
from ..spool import Spool
from .assemble import ENCRYPTED, SPECIAL_FILE, SYMLINK, Entry
from .meter import ARCHIVE, ENTRIES_PER_FILE, CountingReader, Meter, counted_chunks
from .paths import found, is_junk, not_utf8

# Zip records, as laid out in PKWARE's APPNOTE.TXT.
ZIP_END = b"PK\x05\x06"
ZIP_END_SIZE = 22
ZIP_END_SEARCH = (1 << 16) + ZIP_END_SIZE  # the end record, then a comment of < 64 KiB
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_LOCATOR_SIZE = 20
ZIP64_END = b"PK\x06\x06"
ZIP64_END_SIZE = 56
ZIP_CENTRAL = b"PK\x01\x02"
ZIP_CENTRAL_SIZE = 46
ZIP_LOCAL = b"PK\x03\x04"
ZIP_LOCAL_SIZE = 30
ZIP_FLAG_ENCRYPTED = 0x1
ZIP_FLAG_UTF8 = 0x800  # "the name is UTF-8"; without it a name is in the writer's code page
# Only stored and deflated entries are read. zipfile decompresses bzip2 and LZMA without bounding
# the output of one step, and a few kilobytes of bzip2 become gigabytes; Windows, macOS and 7-Zip
# write deflate unless asked otherwise.
ZIP_READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# zipfile reads the whole central directory and makes an object of every record, so its size is
# bounded before that: a record is 46 bytes and a name (a pack's are well under 200 bytes), and
# real zips add a few dozen bytes of timestamps; a kilobyte each is generous.
DIRECTORY_BYTES_PER_ENTRY = 1024
ZIP_METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd"}


def _unsupported_method(method: int) -> Found:
    name = ZIP_METHOD_NAMES.get(method, f"method {method}")
    return (
        "unsupported-compression",
        f"is compressed with {name}; only standard (deflate) zip compression is read. "
        "Zip the pack again with the default settings.",
    )


def read_zip(upload: BinaryIO, meter: Meter, limits: Limits, spool: Spool) -> list[Entry]:
    """Every entry of a zip, each file spooled, within the limits."""
    counted = CountingReader(upload, meter.archive_read)
    _check_central_directory(counted, meter)
    with zipfile.ZipFile(counted) as archive:
        infos = archive.infolist()
        _check_no_overlap(archive, counted, meter)
        named = [(info, _zip_name(info)) for info in infos]
        named = [(info, name) for info, name in named if not is_junk(name)]
        for info, name in named:  # every entry counted before a byte is decompressed
            meter.entry(is_file=not _zip_is_dir(info, name))
        return [_zip_entry(archive, info, name, meter, spool) for info, name in named]


def _check_central_directory(upload: CountingReader, meter: Meter) -> None:
    """Count the central directory's records before zipfile builds an object for each."""
    start, size = central_directory(upload)
    most = meter.limits.max_files * ENTRIES_PER_FILE * DIRECTORY_BYTES_PER_ENTRY
    if size > most:
        meter.fail(
            "oversized-directory",
            f"{meter.source} has a table of contents of {size:,} bytes, more than a pack of "
            f"{meter.limits.max_files:,} files needs ({most:,}). Create the archive again with a "
            "standard zip tool, without long comments or extra fields.",
        )
    upload.seek(start)
    directory = upload.read(size)
    position, records, misflagged = 0, 0, []
    while position + ZIP_CENTRAL_SIZE <= len(directory):
        if directory[position : position + 4] != ZIP_CENTRAL:
            break  # zipfile reports the damage in its own words
        flags = struct.unpack_from("<H", directory, position + 8)[0]
        lengths = struct.unpack_from("<3H", directory, position + 28)
        name = directory[position + ZIP_CENTRAL_SIZE : position + ZIP_CENTRAL_SIZE + lengths[0]]
        records += 1
        meter.check_entries(records)
        if flags & ZIP_FLAG_UTF8 and not _is_utf8(name):
            misflagged.append(name.decode("utf-8", "surrogateescape"))
        position += ZIP_CENTRAL_SIZE + sum(lengths)
    if misflagged:
        # zipfile cannot open an archive whose names break its own UTF-8 flag, so this stops here.
        raise FatalPackError([p for n in misflagged for p in found(not_utf8(n, meter.limits), n)])


def central_directory(upload: BinaryIO) -> tuple[int, int]:
    """Where the central directory starts and its size, found exactly as zipfile finds them."""
    file_size = upload.seek(0, os.SEEK_END)
    tail_start = max(file_size - ZIP_END_SEARCH, 0)
    upload.seek(tail_start)
    tail = upload.read()
    if tail[-ZIP_END_SIZE : -ZIP_END_SIZE + 4] == ZIP_END and tail.endswith(b"\0\0"):
        at = len(tail) - ZIP_END_SIZE  # no archive comment: the usual case
    else:
        at = tail.rfind(ZIP_END)
    if at < 0 or at + ZIP_END_SIZE > len(tail):
        raise zipfile.BadZipFile("no end of central directory record")
    end_at = tail_start + at
    size = struct.unpack_from("<L", tail, at + 12)[0]
    zip64_size = _zip64_directory_size(upload, end_at)
    if zip64_size is not None:
        size = zip64_size
        end_at -= ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE
    start = end_at - size  # zipfile, too, takes the directory to end where its end record starts
    if start < 0:
        raise zipfile.BadZipFile("bad offset for central directory")
    return start, size


def _zip64_directory_size(upload: BinaryIO, end_at: int) -> int | None:
    locator_at = end_at - ZIP64_LOCATOR_SIZE
    if locator_at - ZIP64_END_SIZE < 0:
        return None
    upload.seek(locator_at)
    if upload.read(4) != ZIP64_LOCATOR:
        return None
    upload.seek(locator_at - ZIP64_END_SIZE)
    record = upload.read(ZIP64_END_SIZE)
    if record[:4] != ZIP64_END:
        return None
    return struct.unpack_from("<Q", record, 40)[0]


def _is_utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_no_overlap(archive: zipfile.ZipFile, upload: CountingReader, meter: Meter) -> None:
    """Refuse entries whose data overlap: the trick behind zip bombs made of one shared kernel."""
    spans = []
    for info in archive.infolist():
        upload.seek(info.header_offset)
        header = upload.read(ZIP_LOCAL_SIZE)
        if len(header) != ZIP_LOCAL_SIZE or not header.startswith(ZIP_LOCAL):
            raise zipfile.BadZipFile(f"no local header for {info.orig_filename!r}")
        name_length, extra_length = struct.unpack_from("<2H", header, 26)
        end = info.header_offset + ZIP_LOCAL_SIZE + name_length + extra_length + info.compress_size
        spans.append((info.header_offset, end))
    spans.sort()
    next_starts = [start for start, _ in spans[1:]] + [archive.start_dir]
    if any(end > next_start for (_, end), next_start in zip(spans, next_starts, strict=False)):
        message = (
            f"{meter.source} has entries that share their compressed data, a way of building "
            "zip bombs. Create the archive again with a standard zip tool."
        )
        raise FatalPackError([Problem(ARCHIVE, message, code="overlapping-entries")])


def _zip_name(info: zipfile.ZipInfo) -> str:
    # zipfile decodes names without the UTF-8 flag as cp437, which maps every byte to one
    # character, so encoding back gives the bytes as stored.
    if info.flag_bits & ZIP_FLAG_UTF8:
        return info.orig_filename
    return info.orig_filename.encode("cp437").decode("utf-8", "surrogateescape")


def _zip_is_dir(info: zipfile.ZipInfo, name: str) -> bool:
    return name.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _zip_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, meter: Meter, spool: Spool
) -> Entry:
    # Unix permission bits, file type included, are in the high half of the external attributes.
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return Entry(name, refusal=SYMLINK)
    if kind in (stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK):
        return Entry(name, refusal=SPECIAL_FILE)
    if _zip_is_dir(info, name):
        return Entry(name, is_dir=True)
    if info.flag_bits & ZIP_FLAG_ENCRYPTED:
        return Entry(name, refusal=ENCRYPTED)
    if info.compress_type not in ZIP_READABLE_METHODS:
        return Entry(name, refusal=_unsupported_method(info.compress_type))
    with archive.open(info) as member:
        return Entry(name, content=spool.write(counted_chunks(member, meter)))
