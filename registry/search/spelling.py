"""did_you_mean: a correction from the index's own words when a query word is rare or absent."""

from __future__ import annotations

from registry.search.analysis import stem, words
from registry.search.query import Plan
from registry.search.schema import SPELL_FIELD
from registry.search.snapshot import ConceptMatch, Snapshot

# A word finding at most this many packs is "rare" and may be a misspelling of a common word...
RARE = 2
# ...when a word within the edit distance is in this many times as many packs.
MORE_COMMON = 10
MIN_WORD = 4  # shorter words have too many neighbours to guess from
MAX_WORD = 30  # longer "words" are codes or pasted junk, and costly to compare


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


def _df(snap: Snapshot, word: str) -> int:
    # Live documents only, so removed packs suggest nothing.
    return len(snap.live_postings(SPELL_FIELD, word)[0])


def correct_word(snap: Snapshot, word: str, found: int) -> str | None:
    """Return a more common word the user probably meant, or None.

    `found` is how many packs the word matched as typed (by its stem, in any field): a word
    that finds packs is not a misspelling, even when its exact form is not in the index.
    """
    if not MIN_WORD <= len(word) <= MAX_WORD or not word.isalpha() or found > RARE:
        return None
    maxdist = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    # Misspellings rarely change the first letter; requiring it keeps the scan small.
    for candidate in snap.searcher.reader().terms_within(SPELL_FIELD, word, maxdist, prefix=1):
        if stem(candidate) == stem(word):
            continue  # another form of the same word would find the same packs
        cdf = _df(snap, candidate)
        if cdf < max(1, found * MORE_COMMON):
            continue
        key = (osa_distance(word, candidate), -cdf, candidate)
        if key[0] <= maxdist and (best is None or key < best):
            best = key
    return best[2] if best else None


def did_you_mean(snap: Snapshot, q: str, plan: Plan, matches: list[ConceptMatch]) -> str | None:
    """Return q with rare or unknown words replaced by likely intended ones, or None."""
    corrections: dict[str, str] = {}
    for concept, match in zip(plan.concepts, matches, strict=True):
        # Synonyms and abbreviations are known words, even when no pack uses them yet.
        if concept.expanded or len(concept.words) != 1:
            continue
        fixed = correct_word(snap, concept.words[0], len(match.scores))
        if fixed:
            corrections[concept.words[0]] = fixed
    if not corrections:
        return None
    return " ".join(corrections.get(w, w) for w in words(q.replace("-", " ")))
