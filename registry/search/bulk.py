"""A writer for rebuilding an index in one go, at about twice the speed of Whoosh's own.

Whoosh's SegmentWriter puts every posting in a pool as a tuple, sizes it, sorts millions of
them and streams them one by one into the segment: most of a rebuild's time. A fresh index
has no deletions and receives documents in order, so postings can instead be kept per term
as they arrive (already in document order) and written term by term, sorting only the terms.
The per-document data (stored fields, lengths, columns) is written exactly as Whoosh does.

Only for `WhooshEngine.rebuild()` into a new, empty index; updates use Whoosh's writer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from whoosh.index import Index
from whoosh.writing import SegmentWriter

from registry.search.analysis import WordCounts


class BulkWriter(SegmentWriter):
    """A SegmentWriter that groups postings per term in memory instead of pooling tuples."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if self.segments:
            raise ValueError("BulkWriter builds new indexes only")
        # (fieldname, term bytes) -> [docnum, weight, value, docnum, weight, value, ...]
        self._terms: defaultdict[tuple[str, bytes], list] = defaultdict(list)

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
                    if isinstance(field.format, WordCounts):
                        # Text fields: skip field.index()'s generator that only encodes terms.
                        items = (
                            (t.encode("utf-8"), f, w, v)
                            for t, f, w, v in field.format.word_values(value, field.analyzer)
                        )
                    else:
                        items = field.index(value)
                    scorable = field.scorable
                    for btext, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        terms[(name, btext)] += (docnum, weight, vbytes)
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
