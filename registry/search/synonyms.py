"""Domain synonyms, abbreviations and words that name a facet value (synonyms.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from registry.packs.vocabulary import load_vocabularies
from registry.search.analysis import stems

DATA_FILE = "synonyms.yaml"
# The vocabularies whose slugs and aliases, typed in a query, also match the tag itself.
FACET_WORD_VOCABULARIES = {
    "supplier": "supplier",
    "product": "product",
    "statutory_return": "statutory_return",
}

Phrase = tuple[str, ...]  # a sequence of stems


@dataclass(frozen=True)
class Synonyms:
    """Synonym groups and facet words, keyed by their stemmed expressions."""

    groups: dict[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)
    facet_words: dict[Phrase, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        """Return the length in words of the longest expression."""
        return max((len(p) for p in (*self.groups, *self.facet_words)), default=1)

    def phrases(self) -> set[Phrase]:
        """Return every expression of two words or more."""
        return {p for p in (*self.groups, *self.facet_words) if len(p) > 1}

    def match(self, tokens: list[str], start: int) -> int:
        """Return the length of the longest expression at tokens[start:], or 0."""
        for n in range(min(self.longest, len(tokens) - start), 0, -1):
            phrase = tuple(tokens[start : start + n])
            if phrase in self.groups or phrase in self.facet_words:
                return n
        return 0


def _phrase(expression: str) -> Phrase:
    return tuple(stems(expression.replace("-", " ")))


def _merge_groups(lists: list[tuple[Phrase, ...]]) -> dict[Phrase, tuple[Phrase, ...]]:
    """Return each phrase's group, joining groups that share a phrase (both ways must hold)."""
    groups: dict[Phrase, tuple[Phrase, ...]] = {}
    for phrases in lists:
        merged = list(phrases)
        for p in phrases:
            merged += [q for q in groups.get(p, ()) if q not in merged]
        group = tuple(merged)
        for p in group:
            groups[p] = group
    return groups


def parse(data: dict) -> Synonyms:
    """Build Synonyms from the data file's content, checking facet values against vocabularies."""
    vocabularies = load_vocabularies()
    groups = _merge_groups(
        [
            tuple(dict.fromkeys(p for p in map(_phrase, entries) if p))
            for entries in data.get("groups") or ()
        ]
    )
    ambiguous = {a.lower() for a in data.get("ambiguous") or ()}
    facet_words: dict[Phrase, list[tuple[str, str]]] = {}
    for facet, vocab_key in FACET_WORD_VOCABULARIES.items():
        for term in vocabularies[vocab_key].terms:
            for word in (term.slug, *term.aliases):
                if word.lower() not in ambiguous:
                    facet_words.setdefault(_phrase(word), []).append((facet, term.slug))
    for expression, targets in (data.get("facet_words") or {}).items():
        for target in targets:
            facet, _, slug = target.partition(":")
            vocab = vocabularies.get(FACET_WORD_VOCABULARIES.get(facet, ""))
            if vocab is None or vocab.resolve(slug) is None or vocab.resolve(slug).slug != slug:
                raise ValueError(f"{DATA_FILE}: {expression!r} names unknown {target!r}")
            facet_words.setdefault(_phrase(expression), []).append((facet, slug))
    return Synonyms(
        groups=groups,
        facet_words={p: tuple(dict.fromkeys(v)) for p, v in facet_words.items() if p},
    )


@cache
def load_synonyms() -> Synonyms:
    """Load the packaged synonyms data file (once per process)."""
    text = resources.files("registry.search").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
