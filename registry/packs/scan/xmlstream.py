"""Reading the XML parts of Word and Excel files as hostile input, within a budget.

Word and Excel files are zips of XML that we decompress ourselves: declared sizes are not
trusted, every byte read and every character produced counts against a `Budget`, parts
compressed with anything but deflate are not read (zipfile inflates bzip2 and LZMA without
bounding one step), XML that declares a DTD, entities or external references is refused by
defusedxml's parser, and so is XML nested deeper, or with tags longer, than any Office file
writes: the parser holds a tag whole, and every open element costs memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import Protocol

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..limits import MiB

READ_CHUNK = 64 * 1024
# Office XML nests a few dozen elements deep (a table in a text box in a table ...).
MAX_XML_DEPTH = 256
# Bytes the parser may hold before it has finished one tag with its attributes: real ones are
# at most a few kilobytes, and the parser keeps a longer one whole, however long.
MAX_TAG_BYTES = 1 * MiB
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


class Unreadable(Exception):
    """Why (part of) an Office file could not be scanned, in words for the finding."""


class Budget:
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

    @property
    def spent(self) -> bool:
        """Nothing more may be read or produced."""
        return self.bytes_left <= 0 or self.chars_left <= 0

    def spend_bytes(self, n: int) -> None:
        """Count n bytes of XML decompressed; stop past the limit."""
        self.bytes_left -= n
        if self.bytes_left < 0 and self.pack_limit is not None:
            raise Unreadable(
                f"the pack's Word and Excel files together hold more than "
                f"{self.pack_limit:,} bytes of XML"
            )
        if self.bytes_left < 0:
            raise Unreadable(f"it holds more than {self.limit:,} bytes of XML")

    def spend_chars(self, n: int) -> None:
        """Count n characters of text produced; stop past the limit."""
        self.chars_left -= n
        if self.chars_left < 0:
            raise Unreadable(f"it expands to more than {self.limit:,} characters of text")


def qualified(namespace: str, local: str) -> str:
    """An element's name as the parser reports it: "{namespace}local"."""
    return f"{{{namespace}}}{local}"


class XmlTarget(Protocol):
    """What the parser calls as it reads: no tree is built.

    Names are ElementTree's: "{namespace}local" for an element in a namespace (see `qualified`).
    """

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opens."""

    def end(self, tag: str) -> None:
        """An element closes."""

    def data(self, text: str) -> None:
        """Text inside the open element, in pieces."""

    def close(self) -> None:
        """The part has ended, whole or not."""


def part_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The decompressed bytes of one part, in chunks, until the budget runs out."""
    if info.compress_type not in READABLE_METHODS:
        raise Unreadable("it is compressed with a method other than deflate")
    with zf.open(info) as fh:
        while True:
            # Ask for one byte more than is left so that an oversized part is noticed.
            chunk = fh.read(min(READ_CHUNK, max(budget.bytes_left, 0) + 1))
            if not chunk:
                return
            within = chunk[: max(budget.bytes_left, 0)]
            if within:
                yield within  # what fits is still scanned
            budget.spend_bytes(len(chunk))


_DTD_REFUSED = "it declares a DTD or entities, which Office files never need"


class _Guarded:
    """Passes the parser's events on to the target, refusing XML nested too deep."""

    def __init__(self, target: XmlTarget) -> None:
        self.target = target
        self.depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise Unreadable(f"its XML nests more than {MAX_XML_DEPTH} elements deep")
        self.target.start(tag, attrib)

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.target.end(tag)

    def data(self, text: str) -> None:
        self.target.data(text)

    def close(self) -> None:
        """The caller closes the target itself, whole part or not."""


def parse(chunks: Iterable[bytes], target: XmlTarget) -> None:
    """Feed XML to target's start/end/data callbacks, refusing what Office files never hold.

    defusedxml's parser refuses a DTD, entity declarations and external references (where
    entity bombs and file reads live); no tree is built, the target sees events as they come.
    """
    parser = DefusedXMLParser(
        target=_Guarded(target), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    fed = 0
    try:
        for chunk in chunks:
            parser.feed(chunk)
            fed += len(chunk)
            # Outside a callback, the index is where the last event was: what lies beyond it is
            # an unfinished tag the parser is holding whole.
            if fed - max(parser.parser.CurrentByteIndex, 0) > MAX_TAG_BYTES:
                raise Unreadable(f"it has an XML tag longer than {MAX_TAG_BYTES:,} bytes")
        parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise Unreadable(_DTD_REFUSED) from None
    except ParseError as exc:
        raise Unreadable(f"its XML is malformed ({exc})") from None
