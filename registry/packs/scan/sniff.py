"""Telling text from binary, and reading text as ASCII-compatible bytes with LF line ends.

Text is scanned as bytes: every pattern is ASCII, and UTF-8, Windows-1252 and Latin-1 agree on
ASCII, so they need nothing. UTF-16 (a Windows export, with or without a byte order mark) is
decoded to UTF-8 as it is read, a chunk at a time, and line ends (CR LF, or a lone CR from an
old Mac export) become LF, so every line is counted as people count it.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from ..filetypes import BINARY_EXTENSIONS, EXCEL_EXTENSIONS, TEXT_EXTENSIONS, WORD_EXTENSIONS
from ..filetypes import extension as _extension
from ..spool import Content

# How much of a file's start decides its encoding, and whether an undecodable file is text.
SNIFF_BYTES = 64 * 1024
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r" + bytes(range(0x80, 0x100))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_text_file(path: str, data: bytes) -> bool:
    """Tell whether a file is text to scan: by extension, else by content."""
    return is_text(path, Content.of(data))


def is_text(path: str, content: Content) -> bool:
    """Tell whether a file is text to scan, reading its content in chunks when its name cannot say."""
    ext = _extension(path)
    if ext in TEXT_EXTENSIONS:
        return True
    if ext in BINARY_EXTENSIONS or ext in WORD_EXTENSIONS or ext in EXCEL_EXTENSIONS:
        return False
    head = content.head(SNIFF_BYTES)
    if head.startswith(_UTF16_BOMS):
        return _decodes(content, "utf-16")
    if any(b"\x00" in chunk for chunk in content.chunks()):
        return False
    if _decodes(content, "utf-8"):
        return True
    # A Windows-1252 export (a "£", an "é") is still text. Binary formats without a single NUL
    # byte are rare, and scanning one costs less than missing a spreadsheet export.
    control = len(head.translate(None, _PRINTABLE))
    return control <= 0.05 * len(head)


def _decodes(content: Content, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for chunk in content.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decoded(content: Content) -> Iterator[bytes]:
    """The file as ASCII-compatible bytes with LF line ends, in chunks."""
    sample = content.head(SNIFF_BYTES)
    encoding = None
    if sample.startswith(_UTF16_BOMS):
        encoding = "utf-16"
    elif sample.count(0) > len(sample) // 4:
        # UTF-16 without a byte order mark: read as it is, a NUL would sit between every two
        # digits and nothing would match.
        odd_zeros = sample[1::2].count(0)
        encoding = "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be"
    chunks: Iterable[bytes] = content.chunks()
    if encoding is not None:
        chunks = _transcoded(chunks, encoding)
    return lf_lines(chunks)


def _transcoded(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8", "replace")
    yield decoder.decode(b"", final=True).encode("utf-8", "replace")


def lf_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Chunks with CR LF and lone CR line ends made LF, also where a CR ends a chunk."""
    carried = False  # a CR ended the last chunk: LF or not depends on what comes next
    for chunk in chunks:
        if carried:
            chunk = b"\r" + chunk
        carried = chunk.endswith(b"\r")
        if carried:
            chunk = chunk[:-1]
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if chunk:
            yield chunk
    if carried:
        yield b"\n"
