"""Reading a tar.gz upload as a stream: extended headers bounded, each file spooled as it passes.

Stream mode reads members one after the other, so nothing is read twice and no member is looked
up by offset; the decompressed stream is counted below tarfile, so data tarfile reads for itself
(headers, members it skips) counts against the limits too.
"""

from __future__ import annotations

import gzip
import tarfile
from typing import Any, BinaryIO

from ..spool import Spool
from .assemble import HARD_LINK, SPARSE_FILE, SPECIAL_FILE, SYMLINK, UNKNOWN_TAR_TYPE, Entry
from .meter import READ_CHUNK, CountingReader, Meter, counted_chunks
from .paths import is_junk

# tarfile reads a pax or GNU long-name header whole before the member it describes, and each one
# nests a call deeper, so a chain of them exhausts the stack. Python before 3.11.10 and 3.12.6
# also parses pax headers in time that grows with the square of their size (CVE-2024-6232).
# Headers past these bounds are refused before tarfile reads them.
TAR_EXTENDED_TYPES = frozenset(
    {tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE}
    | {tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK}
)
MAX_TAR_EXTENDED_HEADER = 8 * 1024  # the longest allowed path (12 names of 255 bytes) is 3 KiB
# Parsing costs the square of each header's size, so that is what is budgeted over the archive:
# as much as sixteen headers of the largest size, where a real pack's are a few hundred bytes.
MAX_TAR_EXTENDED_WORK = 16 * MAX_TAR_EXTENDED_HEADER**2
MAX_TAR_EXTENDED_CHAIN = 4  # a member needs a global and a pax header, a long name and link at most


def read_tar_gz(upload: BinaryIO, meter: Meter, spool: Spool) -> list[Entry]:
    """Every entry of a tar.gz, each file spooled, within the limits."""
    # Stream mode reads members one after the other and reads through the data of every member
    # it skips; counting the decompressed stream below tarfile sees all of that data too.
    compressed = CountingReader(upload, meter.archive_read)
    entries = []
    with gzip.GzipFile(fileobj=compressed, mode="rb") as unzipped:
        stream = CountingReader(unzipped, meter.tar_stream)
        with _CheckedTarFile.open(
            fileobj=stream,
            mode="r|",
            encoding="utf-8",
            errors="surrogateescape",  # keep bytes that are not UTF-8, to report them
        ) as archive:
            for member in archive:
                if is_junk(member.name):
                    meter.entry(is_file=False)
                    continue
                meter.entry(is_file=not member.isdir())
                entries.append(_tar_entry(archive, member, meter, spool))
        # Read on to the end of the gzip stream, which is where its checksum is verified: tar
        # itself has none, and a damaged upload would otherwise pass unnoticed.
        while stream.read(READ_CHUNK):
            pass
    return entries


class _CheckedTarInfo(tarfile.TarInfo):
    """A tar header that refuses oversized or chained extended headers before they are read."""

    def _proc_member(self, archive: _CheckedTarFile) -> tarfile.TarInfo:
        # tarfile's hook for subclasses, called for every header before its data is read
        if self.type not in TAR_EXTENDED_TYPES:
            archive.extended_chain = 0
            return super()._proc_member(archive)
        archive.extended_chain += 1
        archive.extended_work += self.size**2
        if self.size > MAX_TAR_EXTENDED_HEADER:
            raise tarfile.ReadError(f"an extended header of {self.size:,} bytes")
        if archive.extended_work > MAX_TAR_EXTENDED_WORK:
            raise tarfile.ReadError("too many large extended headers")
        if archive.extended_chain > MAX_TAR_EXTENDED_CHAIN:
            raise tarfile.ReadError(f"more than {MAX_TAR_EXTENDED_CHAIN} extended headers in a row")
        return super()._proc_member(archive)


class _CheckedTarFile(tarfile.TarFile):
    """A tar file read with _CheckedTarInfo, keeping the counts it checks."""

    tarinfo = _CheckedTarInfo

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.extended_work = 0  # set before the base class reads the first header
        self.extended_chain = 0
        super().__init__(*args, **kwargs)


def _tar_entry(
    archive: tarfile.TarFile, member: tarfile.TarInfo, meter: Meter, spool: Spool
) -> Entry:
    name = member.name
    if member.isdir():
        return Entry(name, is_dir=True)
    if member.issym():
        return Entry(name, refusal=SYMLINK)
    if member.islnk():
        return Entry(name, refusal=HARD_LINK)
    if member.ischr() or member.isblk() or member.isfifo():
        return Entry(name, refusal=SPECIAL_FILE)
    if member.issparse():
        return Entry(name, refusal=SPARSE_FILE)
    if not member.isreg():
        return Entry(name, refusal=UNKNOWN_TAR_TYPE)
    content = archive.extractfile(member)
    if content is None:
        return Entry(name, refusal=UNKNOWN_TAR_TYPE)
    with content:
        return Entry(name, content=spool.write(counted_chunks(content, meter)))
