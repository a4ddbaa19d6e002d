"""No query, however malformed, raises; no highlight carries the document's own HTML."""

from __future__ import annotations

import html
import re

import pytest

from registry.search import WhooshEngine
from tests.search.conftest import keys
from tests.search.corpus import pack

HOSTILE = [
    '"',
    "(",
    ")",
    "AND OR",
    "NOT",
    "*",
    "?",
    "title:",
    "title:review",
    "supplier:system-c",
    '"unclosed phrase',
    "review~2",
    "[a TO z]",
    "a" * 10_000,
    "review " * 2_000,
    "\x00\x01\x02",
    "\u200b\ufeff",
    "🙂 safeguarding 🙂",
    "Ünïcödé çafé",
    "日本語",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s %d {0}",
    "\\",
    "-",
    "s47 & cp | lac",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_raise(engine: WhooshEngine, q: str) -> None:
    answer = engine.search(q, {"supplier": [q]}, sort=q, page=1, per_page=20)
    assert set(answer) == {"total", "page", "per_page", "results", "facets", "did_you_mean"}
    assert isinstance(engine.suggest(q), list)


def test_operator_words_are_just_characters(engine: WhooshEngine) -> None:
    # Nothing but punctuation and operator words: nothing to search for, so everything.
    assert engine.search("AND OR")["total"] == engine.search("")["total"]
    assert engine.search("*")["total"] == engine.search("")["total"]


def test_a_huge_query_is_cut_not_refused(engine: WhooshEngine) -> None:
    # The 10,000-letter word matches nothing, so the packs matching "review" are found, in the
    # same order as for "review" alone.
    answer = engine.search("review " + "x" * 10_000)
    alone = engine.search("review")
    assert answer["total"] == alone["total"] > 1
    assert keys(answer) == keys(alone)


TAG = re.compile(r"<[^>]*>")
# A summary, README and artefact text full of HTML.
SOURCES = (
    "A review <script>alert('summary')</script> & more",
    "# Review\n\n<iframe src='//evil'></iframe> review <b>bold</b> &amp; "
    'review <mark>fake</mark> "quoted" review',
    "<script>review()</script> review <a href='javascript:x'>link</a>",
)


def test_highlights_never_contain_the_documents_html(fresh: WhooshEngine) -> None:
    fresh.index(
        [
            pack(
                "evil/injection",
                'Review <img src=x onerror="alert(1)">',
                *SOURCES[:2],
                text=SOURCES[2],
            )
        ]
    )
    answer = fresh.search("review", {"publisher": ["evil"]})
    (result,) = answer["results"]
    assert result["highlights"]
    for fragment in result["highlights"]:
        assert TAG.findall(fragment) == ["<mark>", "</mark>"] * fragment.count("<mark>")
        assert "<script" not in fragment and "<iframe" not in fragment
        # Unmarked and unescaped, a fragment is the pack's own text, word for word.
        plain = html.unescape(fragment.replace("<mark>", "").replace("</mark>", "")).strip("…")
        assert any(plain in " ".join(source.split()) for source in SOURCES)
    joined = " ".join(result["highlights"])
    assert "&lt;script&gt;alert(&#x27;summary&#x27;)&lt;/script&gt;" in joined
    assert "&lt;iframe src=&#x27;//evil&#x27;&gt;" in joined
    assert "&amp;amp;" in joined  # the document's own "&amp;" is shown, not interpreted


def test_highlights_mark_matches_in_context(engine: WhooshEngine) -> None:
    (first, *_) = engine.search("danger statements")["results"]
    assert any("<mark>danger</mark>" in h.lower() for h in first["highlights"])
    assert all(len(h) < 400 for h in first["highlights"])
