"""The Whoosh schema and how a SearchDocument becomes an index record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from whoosh import fields

from registry.packs.vocabulary import load_vocabularies
from registry.search.analysis import SEPARATOR, CountedText, DomainAnalyzer, PairAnalyzer, pairs
from registry.search.interface import FACET_SOURCES, FACETS, SearchDocument
from registry.search.synonyms import load_synonyms
from registry.search.whoosh_internals import BlockCodec

# Text fields searched, with the boost applied at query time (tunable without a reindex).
FIELD_BOOSTS = {
    "title": 4.0,
    "name": 3.0,
    "keywords": 2.5,
    "summary": 2.0,
    "tags": 1.5,
    "readme": 1.0,
    "files": 0.8,
    "text": 0.3,
}
# Multi-word expressions of synonyms.yaml ("looked after children") are matched in pair
# fields, which index their pairs of adjacent words as terms (see analysis.PairAnalyzer), from
# these sources. No field stores positions: checking positions was the slow part of queries
# and positions the biggest part of the index. Artefact text is too noisy for phrases.
PAIR_FIELDS = {
    "pairs_head": (3.0, ("title", "name", "keywords", "summary", "tags")),
    "pairs_body": (1.0, ("readme",)),
}
# Unstemmed words of titles, summaries and keywords, for did_you_mean.
SPELL_FIELD = "spell"
# A word matching a facet value (e.g. "liquidlogic" -> supplier system-c) scores like this.
FACET_BOOST = 2.0

# The query-time boost of every field a term can be looked up in.
QUERY_BOOSTS = {
    **FIELD_BOOSTS,
    **{field: boost for field, (boost, _sources) in PAIR_FIELDS.items()},
    **dict.fromkeys(FACETS, FACET_BOOST),
    SPELL_FIELD: 1.0,
}

# Artefact text beyond this is not indexed: the start of a pack's files says what it is, and a
# bound keeps one huge pack from dominating indexing time and memory.
TEXT_INDEX_LIMIT = 300_000
# Highlights are cut from the start of the README and artefact text; only that much is stored.
HIGHLIGHT_LIMIT = 6_000


def build_schema() -> fields.Schema:
    """Return the index schema."""
    stemmed = DomainAnalyzer()
    schema = fields.Schema(
        key=fields.ID(unique=True),  # "publisher/name"
        data=fields.STORED(),  # the result fields, JSON
        hl=fields.STORED(),  # highlight sources: the start of the README and artefact text
        meta=fields.COLUMN(),  # publisher, name, version, title: for sorting, keys, typeahead
        updated_at=fields.DATETIME(sortable=True),
        downloads=fields.NUMERIC(bits=64, sortable=True),
    )
    schema.add(SPELL_FIELD, CountedText(DomainAnalyzer(stemming=False)))
    for name in FIELD_BOOSTS:
        schema.add(name, CountedText(stemmed))
    known = frozenset(p for phrase in load_synonyms().phrases() for p in pairs(phrase))
    for name in PAIR_FIELDS:
        schema.add(name, CountedText(PairAnalyzer(known)))
    for facet in FACETS:
        # Facet values are slugs: indexed whole, one term each, never scored by length.
        schema.add(facet, fields.KEYWORD(commas=True, lowercase=False))
    return schema


def _tag_text(doc: SearchDocument) -> str:
    """Return the display names of the pack's tags, so "Family Safeguarding" finds the tag."""
    vocabularies = load_vocabularies()
    names = []
    for facet in (
        "supplier",
        "product",
        "service_area",
        "practice_model",
        "organisation_structure",
        "kind",
        "statutory_return",
    ):
        vocab = vocabularies[facet]
        names += [vocab.display_name(v) for v in _facet_values(doc, facet)]
    # "903 2026-27" finds the packs right for that collection year.
    names += doc.get("return_years") or []
    return "\n".join(names)


def _facet_values(doc: SearchDocument, facet: str) -> list[str]:
    """Return a pack's values for a facet, as strings, without blanks or repeats."""
    value = doc.get(FACET_SOURCES[facet])  # type: ignore[misc]
    values = value if isinstance(value, list | tuple) else [value]
    return list(dict.fromkeys(str(v) for v in values if v))


def _timestamp(value: datetime) -> datetime:
    """Return value as an aware UTC datetime (naive values are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def result_fields(doc: SearchDocument) -> dict[str, Any]:
    """Return the fields of a search result, JSON-ready, without highlights."""
    return {
        "publisher": doc["publisher"],
        "name": doc["name"],
        "version": doc["version"],
        "title": doc["title"],
        "summary": doc["summary"],
        "supplier": doc["supplier"],
        "products": list(doc["products"] or ()),
        "service_areas": list(doc["service_areas"] or ()),
        "practice_models": list(doc["practice_models"] or ()),
        "organisation_structures": list(doc["organisation_structures"] or ()),
        "kinds": list(doc["kinds"] or ()),
        "statutory_returns": list(doc.get("statutory_returns") or ()),
        "updated_at": _timestamp(doc["updated_at"]).isoformat(),
        "downloads": int(doc["downloads"]),
    }


def to_record(doc: SearchDocument) -> dict[str, Any]:
    """Return the keyword arguments for writer.add_document/update_document."""
    readme, text = doc["readme"] or "", doc["text"] or ""
    keywords = "\n".join(doc["keywords"] or ())
    record: dict[str, Any] = {
        "key": f"{doc['publisher']}/{doc['name']}",
        "data": json.dumps(result_fields(doc), separators=(",", ":")),
        # Whoosh compresses stored fields itself.
        "hl": (readme[:HIGHLIGHT_LIMIT], text[:HIGHLIGHT_LIMIT]),
        "meta": json.dumps([doc["publisher"], doc["name"], doc["version"], doc["title"]]).encode(),
        "updated_at": _timestamp(doc["updated_at"]).replace(tzinfo=None),
        "downloads": int(doc["downloads"]),
        "title": doc["title"],
        "name": doc["name"].replace("-", " "),
        "keywords": keywords,
        "summary": doc["summary"],
        "tags": _tag_text(doc),
        "readme": readme,
        "files": "\n".join(doc["file_names"] or ()),
        "text": text[:TEXT_INDEX_LIMIT],
        # Corrections come from the words packs are described with, not from every README.
        SPELL_FIELD: "\n".join(
            (doc["title"], doc["name"].replace("-", " "), doc["summary"], keywords)
        ),
    }
    parts = {**record, "keywords": SEPARATOR.join(doc["keywords"] or ())}
    for field, (_boost, sources) in PAIR_FIELDS.items():
        record[field] = SEPARATOR.join(parts[source] for source in sources)
    for facet in FACETS:
        record[facet] = ",".join(_facet_values(doc, facet))
    return record


class Codec(BlockCodec):
    """The index's codec (see BlockCodec), named here: index segments pickle it by this name."""
