"""Text analysis shared by indexing and querying: normalise, split into words, stem."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from whoosh.analysis import Analyzer, Token
from whoosh.fields import TEXT
from whoosh.formats import Frequency
from whoosh.lang.porter import stem as porter_stem

from registry.search.whoosh_internals import encoded_frequency

# Words are runs of letters and digits; underscores split too, so SQL and XML names such as
# CIN_CENSUS_RETURN or CINCensus_alcoholChild yield searchable words.
WORD = re.compile(r"[^\W_]+")
# A possessive "'s" adds nothing ("children's" is searched as "children"); other apostrophes
# join their word ("don't" -> "dont").
POSSESSIVE = re.compile(r"['\u2019]s\b")
APOSTROPHE = re.compile(r"['\u2019]")

# Separates texts joined into one field value that must not form pairs across the join.
SEPARATOR = "\x1f"

# Dropped from queries (not from the index, so phrases such as "child in need" still match).
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "not",
        "of",
        "on",
        "or",
        "s",
        "that",
        "the",
        "this",
        "to",
        "us",
        "was",
        "we",
        "when",
        "will",
        "with",
        "yet",
        "you",
        "your",
    }
)

# Irregular plurals Porter leaves alone but searchers treat as one word.
IRREGULAR = {"children": "child", "childrens": "child", "people": "person"}

# Porter stemming is pure Python; a registry's vocabulary is small, so remember every answer.
_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 200_000


def normalise(text: str) -> str:
    """Return text case-folded and compatibility-normalised, possessives removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return APOSTROPHE.sub("", POSSESSIVE.sub("", text))


def stem(word: str) -> str:
    """Return the stem of one normalised word (cached)."""
    s = _STEMS.get(word)
    if s is None:
        if len(_STEMS) >= _STEM_CACHE_LIMIT:
            _STEMS.clear()
        # Short abbreviations ending in "s" are kept whole: stemming "sos" to "so" would make
        # Signs of Safety match every "so". Words with digits (s47) are kept whole too.
        keep = (len(word) <= 3 and word.endswith("s")) or not word.isalpha()
        s = IRREGULAR.get(word) or (word if keep else porter_stem(word))
        _STEMS[word] = s
    return s


def words(text: str) -> list[str]:
    """Return the normalised words of text, unstemmed."""
    return WORD.findall(normalise(text))


def stems(text: str) -> list[str]:
    """Return the stems of the words of text, in order."""
    return [stem(w) for w in WORD.findall(normalise(text))]


class DomainAnalyzer(Analyzer):
    """The index analyzer: normalise, split on non-word characters, optionally stem.

    One regex pass instead of a chain of filters, because indexing time is dominated by
    per-token Python overhead; `terms()` gives the plain list that WordCounts counts in C.
    """

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def terms(self, value: str) -> list[str]:
        """Return the indexed terms of value, in order."""
        found = WORD.findall(normalise(value))
        if not self.stemming:
            return found
        cache = _STEMS
        return [cache.get(w) or stem(w) for w in found]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        """Yield one reused Token per term (Whoosh's analyzer protocol)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = self.terms(value) if tokenize else [normalise(value)]
        for pos, term in enumerate(terms, start_pos):
            t.text = term
            if keeporiginal:
                t.original = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                # Character offsets are not tracked: this package highlights by itself.
                t.startchar = t.endchar = start_char
            yield t


class PairAnalyzer(DomainAnalyzer):
    """Index known pairs of adjacent stems ("child protect") as one term each.

    Multi-word expressions come from synonyms.yaml, so only their pairs are indexed: a phrase
    becomes a term lookup instead of a positions check, at almost no cost in index size. The
    known pairs travel with the index (the schema is stored in it), so search knows which
    phrases an index can answer exactly.
    """

    def __init__(self, known: frozenset[str] = frozenset()) -> None:
        super().__init__(stemming=True)
        self.known = known

    def terms(self, value: str) -> list[str]:
        """Return the known pairs of adjacent stems in value, never across a SEPARATOR."""
        known = self.known
        out: list[str] = []
        for part in value.split(SEPARATOR):
            stemmed = DomainAnalyzer.terms(self, part)
            for a, b in itertools.pairwise(stemmed):
                pair = f"{a} {b}"
                if pair in known:
                    out.append(pair)
        return out


def pairs(phrase: tuple[str, ...]) -> list[str]:
    """Return the pair terms of a phrase of stems."""
    return [f"{a} {b}" for a, b in itertools.pairwise(phrase)]


class WordCounts(Frequency):
    """Frequency postings counted with collections.Counter over the analyzer's term list."""

    def word_values(
        self, value: str, analyzer: Analyzer, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        """Yield (term, frequency, weight, encoded frequency) for each distinct term."""
        if isinstance(analyzer, DomainAnalyzer):
            terms = analyzer.terms(value)
        else:
            terms = [t.text for t in analyzer(value, mode="index")]
        boost = self.field_boost
        for term, freq in Counter(terms).items():
            yield term, freq, freq * boost, encoded_frequency(freq)


class CountedText(TEXT):
    """A TEXT field without positions whose postings are counted by WordCounts."""

    def __init__(self, analyzer: DomainAnalyzer, **kwargs: object) -> None:
        super().__init__(analyzer=analyzer, phrase=False, **kwargs)
        self.format = WordCounts(field_boost=self.format.field_boost)
