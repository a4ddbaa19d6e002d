"""did_you_mean: a correction from the index's own words when a query word is rare or absent."""

from __future__ import annotations

from whoosh.reading import IndexReader

from registry.search.analysis import words
from registry.search.query import Plan

SPELL_FIELD = "spell"
# A word in at most this many packs is "rare" and may be a misspelling of a common word...
RARE = 2
# ...when a word within the edit distance is in this many times as many packs.
MORE_COMMON = 10
MIN_WORD = 4  # shorter words have too many neighbours to guess from


def osa_distance(a: str, b: str) -> int:
    """Return the edit distance counting an adjacent transposition as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def correct_word(reader: IndexReader, word: str) -> str | None:
    """Return a more common word the user probably meant, or None."""
    if len(word) < MIN_WORD or not word.isalpha():
        return None
    df = reader.doc_frequency(SPELL_FIELD, word)
    if df > RARE:
        return None
    maxdist = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    # Misspellings rarely change the first letter; requiring it keeps the scan small.
    for candidate in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1):
        if candidate == word:
            continue
        cdf = reader.doc_frequency(SPELL_FIELD, candidate)
        if cdf < max(1, df * MORE_COMMON):
            continue
        key = (osa_distance(word, candidate), -cdf, candidate)
        if key[0] <= maxdist and (best is None or key < best):
            best = key
    return best[2] if best else None


def did_you_mean(reader: IndexReader, q: str, plan: Plan) -> str | None:
    """Return q with rare or unknown words replaced by likely intended ones, or None."""
    corrections: dict[str, str] = {}
    for concept in plan.concepts:
        # Synonyms and abbreviations are known words, even when no pack uses them yet.
        if concept.expanded or len(concept.words) != 1:
            continue
        fixed = correct_word(reader, concept.words[0])
        if fixed:
            corrections[concept.words[0]] = fixed
    if not corrections:
        return None
    return " ".join(corrections.get(w, w) for w in words(q.replace("-", " ")))
