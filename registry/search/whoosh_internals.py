"""Everything that depends on Whoosh's private internals, and the check that they are the ones meant.

Search reads whole posting blocks and length columns, rebuilds with a writer that groups postings
per term, and assembles the segments of a parallel rebuild itself: each relies on attributes of
whoosh-reloaded 2.7.5's whoosh3 codec and segment writer that no public API promises. They all
live here, and importing this module first checks that exactly that distribution is installed,
so another Whoosh fails at start with a message saying what to install, never later as a wrong
answer or an AttributeError in the middle of a search. No other module of the registry imports
`whoosh.codec`, `whoosh.matching`, `whoosh.writing` or `whoosh.util`, or touches an attribute of
Whoosh's starting with an underscore (tests/search/test_whoosh_internals.py checks).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from functools import cache
from importlib import metadata

REQUIRED_DISTRIBUTION = "whoosh-reloaded"
REQUIRED_VERSION = "2.7.5"
# The distributions that install a `whoosh` package: the original and its maintained fork.
WHOOSH_DISTRIBUTIONS = ("whoosh-reloaded", "Whoosh")


class WhooshVersionError(RuntimeError):
    """The installed Whoosh is not the one whose internals this package was written against."""


def _canonical(name: str) -> str:
    """Return a distribution name as pip compares them (PEP 503)."""
    return name.lower().replace("_", "-").replace(".", "-")


def whoosh_problem(providers: Mapping[str, str]) -> str | None:
    """Return what is wrong with the Whoosh installation, or None.

    providers maps each installed distribution that provides the `whoosh` package to its
    version (a pure function, so every case can be tested without installing anything).
    """
    fix = f"install exactly {REQUIRED_DISTRIBUTION}=={REQUIRED_VERSION}"
    found = ", ".join(f"{name} {version}" for name, version in sorted(providers.items()))
    if not providers:
        return f"search needs {REQUIRED_DISTRIBUTION} {REQUIRED_VERSION}, and no Whoosh is installed: {fix}"
    others = sorted(n for n in providers if _canonical(n) != REQUIRED_DISTRIBUTION)
    if others:
        return (
            f"search needs {REQUIRED_DISTRIBUTION} {REQUIRED_VERSION} alone, but the `whoosh` "
            f"package is provided by {found}: uninstall {', '.join(others)} and {fix}"
        )
    (version,) = providers.values()
    if version != REQUIRED_VERSION:
        return (
            f"search needs {REQUIRED_DISTRIBUTION} {REQUIRED_VERSION} (it reads that version's "
            f"private index internals), but {version} is installed: {fix}"
        )
    return None


@cache
def installed_whoosh() -> dict[str, str]:
    """Return each installed distribution known to provide the `whoosh` package, with its version.

    Asked by name: metadata.packages_distributions() would find any provider, but reads every
    installed distribution's file list, half a second at each start.
    """
    found = {}
    for name in WHOOSH_DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def check_whoosh() -> None:
    """Raise WhooshVersionError unless exactly whoosh-reloaded 2.7.5 provides `whoosh`."""
    problem = whoosh_problem(installed_whoosh())
    if problem:
        raise WhooshVersionError(problem)


# Before any private name is imported: with another Whoosh those imports may fail confusingly.
check_whoosh()

import shutil  # noqa: E402
from itertools import accumulate, islice  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec  # noqa: E402
from whoosh.fields import FieldType  # noqa: E402
from whoosh.index import TOC, Index, clean_files  # noqa: E402
from whoosh.matching import Matcher  # noqa: E402
from whoosh.matching.wrappers import FilterMatcher  # noqa: E402
from whoosh.reading import IndexReader  # noqa: E402
from whoosh.system import pack_uint  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

# The codec.


class BlockCodec(W3Codec):
    """Whoosh's codec without per-posting length statistics, and with larger blocks.

    Block length statistics only serve block-quality skipping, which this package never uses
    (it returned a wrong top 20), and looking them up cost a fifth of indexing time. Searches
    read whole posting lists, so larger blocks mean fewer objects to decode. Indexes use it as
    schema.Codec, the name their segments pickle.
    """

    length_stats = False

    def __init__(self) -> None:
        super().__init__(blocklimit=512, compression=1, inlinelimit=1)


# How the Frequency format encodes a posting's frequency, made once for the common ones.
_FREQ_BYTES = [pack_uint(n) for n in range(256)]


def encoded_frequency(freq: int) -> bytes:
    """Return a term frequency encoded as Whoosh's Frequency format stores it."""
    return _FREQ_BYTES[freq] if freq < 256 else pack_uint(freq)


# Reading in bulk: whole posting blocks and whole length columns.


_BLOCK_ATTRIBUTES = ("_read_data", "_data", "_byteids", "_read_weights", "_weights", "_next_block")


def read_postings(m: Matcher, offset: int, ids: list[int], weights: list[float]) -> None:
    """Append a segment's postings (document numbers shifted by offset) to ids and weights.

    Whoosh's matchers hand out one posting per method call; search wants every posting of a
    term at once, so this takes a whoosh3 block matcher's blocks whole. Other matchers (a
    posting list inlined in the terms file) go posting by posting.
    """
    if isinstance(m, FilterMatcher):
        m = m.child  # deletions are masked with `live` instead
    if not all(hasattr(m, a) for a in _BLOCK_ATTRIBUTES):
        while m.is_active():
            ids.append(m.id() + offset)
            weights.append(m.weight())
            m.next()
        return
    while m.is_active():
        if m._data is None:
            m._read_data()
        raw = m._data[0]
        if m._byteids:
            ids.extend(d + offset for d in raw)
        else:
            # Delta-coded document numbers: accumulate() decodes them in C where Whoosh uses
            # a Python generator.
            ids.extend(islice(accumulate(raw, initial=offset), 1, None))
        if m._weights is None:
            m._read_weights()
        weights.extend(m._weights)
        m._next_block()


# Whoosh stores a field's lengths as one byte per document, log-encoded.
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


def leaf_lengths(reader: IndexReader, field: str) -> list[int]:
    """Return a segment's per-document lengths of field (0 where absent).

    The lengths column is a run of bytes in the segment file: read in one call rather than one
    call per document (a tenth of a second per field at 10,000 packs).
    """
    n = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        if column is None:
            return [0] * n
        raw = column._dbfile.get(column._basepos, column._count)
    except AttributeError:  # not a segment's reader (an empty index's): document by document
        return [reader.doc_field_length(d, field, 0) or 0 for d in range(n)]
    table = _LENGTH_OF_BYTE
    return [table[b] for b in raw] + [0] * (n - len(raw))


# Writing a new index in one go.


class BulkWriter(SegmentWriter):
    """A SegmentWriter that groups postings per term in memory instead of pooling tuples.

    Whoosh's SegmentWriter puts every posting in a pool as a tuple, sizes it, sorts millions of
    them and streams them one by one into the segment: most of a rebuild's time. A fresh index
    has no deletions and receives documents in order, so postings can instead be kept per term
    as they arrive (already in document order) and written term by term, sorting only the
    terms; a rebuild takes about half the time. The per-document data (stored fields, lengths,
    columns) is written exactly as Whoosh does. For new, empty indexes only.
    """

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if self.segments:
            raise ValueError("BulkWriter builds new indexes only")
        # (fieldname, term bytes) -> [docnum, weight, value, docnum, weight, value, ...]
        self._terms: dict[tuple[str, bytes], list] = {}

    def add_document(self, **fields: Any) -> None:
        """Add one document; the same contract as SegmentWriter.add_document, minus boosts."""
        self._check_state()
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        terms = self._terms
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    if isinstance(value, str) and type(field).index is FieldType.index:
                        # What FieldType.index does, without its generator in between.
                        items = (
                            (t.encode("utf-8"), f, w, v)
                            for t, f, w, v in field.format.word_values(
                                value, field.analyzer, mode="index"
                            )
                        )
                    else:
                        items = field.index(value)
                    scorable = field.scorable
                    for btext, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        key = (name, btext)
                        postings = terms.get(key)
                        if postings is None:
                            postings = terms[key] = []
                        postings += (docnum, weight, vbytes)
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        current = None
        for name, btext in sorted(self._terms):
            if name != current:
                if current is not None:
                    writer.finish_field()
                writer.start_field(name, self.schema[name])
                current = name
            writer.start_term(btext)
            postings = self._terms[(name, btext)]
            add = writer.add
            for i in range(0, len(postings), 3):
                # Lengths only feed block-quality statistics, which the codec leaves out.
                add(postings[i], postings[i + 1], postings[i + 2], 0)
            writer.finish_term()
        if current is not None:
            writer.finish_field()
        writer.close()
        self._terms.clear()


# A rebuild in several processes: each writes one segment, the parent lists them.


def segment_writer(ix: Index, codec: BlockCodec) -> BulkWriter:
    """Return a BulkWriter for one worker of a parallel rebuild.

    It takes no lock of Whoosh's: the parent holds the registry's write lock throughout.
    """
    return BulkWriter(ix, _lk=False, codec=codec)


def finish_segment(writer: BulkWriter, count: int) -> Any:
    """Close a worker's writer; return its segment, or None if it indexed nothing.

    Not SegmentWriter.commit() or _finish(): those write a table of contents of their own and
    delete the temporary directory the workers share.
    """
    if count:
        return writer._finalize_segment()
    writer._close_segment()
    return None


def commit_segments(directory: Path, segments: list[Any]) -> None:
    """Make the segments the workers wrote the index in directory.

    What SegmentWriter.commit() does with its segments: a new table of contents, then removing
    files no table lists (an idle worker's empty segment, the old table).
    """
    ix = whoosh_index.open_dir(str(directory))
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    ix.close()
    shutil.rmtree(directory / f"{ix.indexname}.tmp", ignore_errors=True)
