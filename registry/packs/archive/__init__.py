"""Reading a pack safely from a zip, a tar.gz or a folder (SPEC §2, §4).

Every upload is hostile input. Nothing is ever extracted to where a pack's paths would put it:
a pack comes back as a mapping of relative paths to contents, with every problem found, so the
publisher fixes the whole pack in one round trip. Sizes are counted as bytes are read and
decompressed, never taken from headers, so a compression bomb is stopped just past the limit.
Contents go to a spool (memory for a small pack, one temporary file beyond that) as they are
decompressed, so reading costs the same memory whatever a pack unpacks to.

The modules: `paths` (rules for every path), `meter` (counting against the limits), `zipread`,
`tarread` and `folder` (the three sources), `assemble` (rules applied, wrapper stripped, clashes
found). What may be in a pack by name and by content is in `registry.packs.filetypes`.
"""

from __future__ import annotations

import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..filetypes import FORBIDDEN_EXTENSIONS, FORBIDDEN_REASONS
from ..limits import DEFAULT_LIMITS, Limits
from ..problems import FatalPackError, Problem
from ..spool import Spool
from .assemble import Entry, PackFiles, assemble
from .folder import read_folder
from .meter import ARCHIVE, ENTRIES_PER_FILE, READ_CHUNK, Meter, PackLimitError, seekable
from .paths import MAX_QUOTED_NAME, check_path, is_git_name
from .tarread import read_tar_gz
from .zipread import read_zip

__all__ = [
    "ENTRIES_PER_FILE",
    "FORBIDDEN_EXTENSIONS",
    "FORBIDDEN_REASONS",
    "READ_CHUNK",
    "PackFiles",
    "PackLimitError",
    "check_path",
    "is_git_name",
    "read_archive",
    "read_pack",
]

# Formats are told apart by their first bytes: a file name can say anything.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a first entry, or the end record of an empty zip
GZIP_MAGIC = b"\x1f\x8b"
ACCEPTED_FORMATS = "a .zip, .tar.gz or .tgz file"
# What a council user may upload by mistake, so the message can say what arrived instead.
LOOKALIKES = (
    (0, b"\x89PNG", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"%PDF", "a PDF document"),
    (0, b"\xd0\xcf\x11\xe0", "an older Office document"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"BZh", "a bzip2 file"),
    (0, b"\xfd7zXZ\x00", "an xz file"),
    (257, b"ustar", "a tar archive without gzip compression"),
)
SNIFF_BYTES = 512

# What zipfile, tarfile, gzip and zlib raise on a damaged or crafted archive. The spool raises
# none of these when the disk fills (SpoolError): that is the registry's fault, not the archive's.
DECODER_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    struct.error,
    NotImplementedError,
    OverflowError,
)


def read_pack(source: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> PackFiles:
    """Read a pack from a folder, or from a zip or tar.gz file told apart by its first bytes."""
    path = Path(source)
    mode = path.stat().st_mode  # a link the user named on the command line is followed on purpose
    if stat.S_ISDIR(mode):
        meter = Meter(limits, str(path))
        return _spooled(lambda spool: read_folder(path, meter, limits, spool), limits, False)
    if not stat.S_ISREG(mode):
        raise _not_an_archive(path.name, "a device or pipe rather than a file")
    with path.open("rb") as stream:
        return read_archive(stream, path.name, limits)


def read_archive(stream: BinaryIO, filename: str, limits: Limits = DEFAULT_LIMITS) -> PackFiles:
    """Read an uploaded zip or tar.gz, the whole stream from its first byte."""
    meter = Meter(limits, filename)
    with seekable(stream, meter) as upload:
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        if head.startswith(ZIP_MAGICS):

            def read(spool: Spool) -> list[Entry]:
                return _decode("zip", filename, lambda: read_zip(upload, meter, limits, spool))

        elif head.startswith(GZIP_MAGIC):

            def read(spool: Spool) -> list[Entry]:
                return _decode("tar.gz", filename, lambda: read_tar_gz(upload, meter, spool))

        else:
            raise _not_an_archive(filename, _describe(head))
        return _spooled(read, limits, True)


def _spooled(read: Callable[[Spool], list[Entry]], limits: Limits, strip: bool) -> PackFiles:
    """Read entries into a new spool and assemble them; the spool is closed if anything fails."""
    spool = Spool()
    try:
        return assemble(read(spool), limits, spool, strip_wrapper=strip)
    except BaseException:
        spool.close()
        raise


def _decode(kind: str, filename: str, read: Callable[[], list[Entry]]) -> list[Entry]:
    try:
        return read()
    except DECODER_ERRORS as error:
        message = (
            f"{filename} could not be read as a {kind} archive ({str(error)[:MAX_QUOTED_NAME]}). "
            "It may be damaged or incomplete: create the archive again and upload it again."
        )
        raise FatalPackError([Problem(ARCHIVE, message, code="corrupt-archive")]) from error


def _not_an_archive(filename: str, what: str) -> FatalPackError:
    message = f"{filename} is {what}, not a pack archive. Upload the pack as {ACCEPTED_FORMATS}."
    return FatalPackError([Problem(ARCHIVE, message, code="not-an-archive")])


def _describe(head: bytes) -> str:
    if not head:
        return "empty"
    for offset, magic, name in LOOKALIKES:
        if head[offset : offset + len(magic)] == magic:
            return name
    return "in an unknown format"
