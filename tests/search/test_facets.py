"""Filters (OR within a facet, AND across) and facet counts, checked against the corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from registry.search import FACETS, WhooshEngine
from registry.search.interface import FACET_SOURCES
from tests.search.conftest import keys
from tests.search.corpus import BY_KEY, PACKS


def values(key: str, facet: str) -> list[str]:
    """Return the values a pack of the corpus has for a facet."""
    value = BY_KEY[key][FACET_SOURCES[facet]]
    return value if isinstance(value, list) else [value]


def admitted(key: str, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    """Return whether a pack passes every filter except `skip`'s."""
    return all(
        set(values(key, facet)) & set(chosen) for facet, chosen in filters.items() if facet != skip
    )


def expected(matched: list[str], filters: dict[str, list[str]]) -> tuple[set[str], dict]:
    """Return the results and multi-select facet counts the corpus says a search should give."""
    results = {k for k in matched if admitted(k, filters)}
    facets = {}
    for facet in FACETS:
        counts = Counter(
            v for k in matched if admitted(k, filters, skip=facet) for v in values(k, facet)
        )
        facets[facet] = dict(counts)
    return results, facets


def matched_without_filters(engine: WhooshEngine, q: str) -> list[str]:
    answer = engine.search(q, per_page=100)
    assert answer["total"] == len(answer["results"])
    return keys(answer)


CASES = [
    ("", {}),
    ("", {"supplier": ["system-c"]}),
    ("", {"supplier": ["system-c", "access-group"]}),
    ("", {"supplier": ["access-group"], "kind": ["form"]}),
    ("", {"practice_model": ["signs-of-safety", "family-safeguarding"], "kind": ["form"]}),
    ("", {"organisation_structure": ["mash"], "service_area": ["childrens-social-care"]}),
    ("assessment", {}),
    ("assessment", {"service_area": ["adults-social-care", "early-help"]}),
    ("plan", {"supplier": ["access-group", "olm"], "kind": ["form"]}),
    ("review", {"publisher": ["kent", "bristol"]}),
    ("safeguarding", {"licence": ["OGL-UK-3.0"], "product": ["lcs", "las"]}),
    ("child protection", {"organisation_structure": ["mash"]}),
]


@pytest.mark.parametrize(("q", "filters"), CASES)
def test_results_and_every_facet_count_match_the_corpus(
    engine: WhooshEngine, q: str, filters: dict[str, list[str]]
) -> None:
    matched = matched_without_filters(engine, q)
    want_results, want_facets = expected(matched, filters)
    answer = engine.search(q, filters, per_page=100)
    assert set(keys(answer)) == want_results
    assert answer["total"] == len(want_results)
    assert answer["facets"] == want_facets
    assert list(answer["facets"]) == list(FACETS)


def test_an_empty_query_counts_the_whole_corpus(engine: WhooshEngine) -> None:
    facets = engine.search("")["facets"]
    assert facets["supplier"] == dict(Counter(p["supplier"] for p in PACKS))
    assert sum(facets["publisher"].values()) == len(PACKS)
    assert facets["kind"]["form"] == sum("form" in p["kinds"] for p in PACKS)


def test_counts_leave_out_zeroes_and_come_largest_first(engine: WhooshEngine) -> None:
    facets = engine.search("", {"supplier": ["olm"]})["facets"]
    for counts in facets.values():
        assert all(n > 0 for n in counts.values())
        assert list(counts.values()) == sorted(counts.values(), reverse=True)
    # Multi-select: the supplier facet still shows the other suppliers.
    assert facets["supplier"]["system-c"] > 0
    assert set(facets["product"]) == {"eclipse"}


def test_a_filter_may_name_an_alias(engine: WhooshEngine) -> None:
    by_alias = engine.search("", {"supplier": ["liquidlogic"]}, per_page=100)
    by_slug = engine.search("", {"supplier": ["system-c"]}, per_page=100)
    assert keys(by_alias) == keys(by_slug)


def test_unknown_filters_and_values(engine: WhooshEngine) -> None:
    assert engine.search("", {"colour": ["red"]})["total"] == len(PACKS)
    assert engine.search("", {"supplier": []})["total"] == len(PACKS)
    nothing = engine.search("", {"supplier": ["nobody"]})
    assert nothing["total"] == 0 and nothing["results"] == []
    # The other facets still count what the unknown supplier's absence leaves: nothing.
    assert nothing["facets"]["kind"] == {}
    assert nothing["facets"]["supplier"]["system-c"] > 0


def test_removing_a_pack(fresh: WhooshEngine) -> None:
    before = fresh.search("review", {"supplier": ["system-c"]})
    assert "kent/cla-review-workflow" in keys(before)
    fresh.remove("kent", "cla-review-workflow")
    fresh.remove("kent", "never-existed")
    after = fresh.search("review", {"supplier": ["system-c"]})
    assert "kent/cla-review-workflow" not in keys(after)
    assert after["total"] == before["total"] - 1
    assert after["facets"]["publisher"].get("kent") is None
    assert "kent/cla-review-workflow" not in keys(fresh.search("CLA", per_page=100))
    indexed = fresh.keys()
    assert ("kent", "cla-review-workflow", "1.0.0") not in indexed
    assert fresh.count() == len(PACKS) - 1


def test_indexing_a_pack_again_replaces_it(fresh: WhooshEngine) -> None:
    newer = dict(BY_KEY["surrey/mash-front-door-triage"], version="2.0.0", supplier="olm")
    fresh.index([newer])
    assert fresh.count() == len(PACKS)
    indexed = fresh.keys()
    assert ("surrey", "mash-front-door-triage", "2.0.0") in indexed
    assert ("surrey", "mash-front-door-triage", "1.0.0") not in indexed
    (result,) = fresh.search("front door triage")["results"]
    assert result["version"] == "2.0.0" and result["supplier"] == "olm"


def test_a_pack_twice_in_one_batch_is_indexed_once(tmp_path: Path) -> None:
    engine = WhooshEngine(tmp_path / "index")
    first = BY_KEY["leeds/fgc-referral-workflow"]
    engine.index([first, {**first, "version": "1.1.0"}])
    assert engine.keys() == {("leeds", "fgc-referral-workflow", "1.1.0")}
    engine.rebuild([first, {**first, "version": "1.1.0"}])
    assert engine.keys() == {("leeds", "fgc-referral-workflow", "1.0.0")}
    engine.close()


def test_missing_optional_text_is_accepted(tmp_path: Path) -> None:
    engine = WhooshEngine(tmp_path / "index")
    sparse = {
        **BY_KEY["york/care-leavers-pathway-plan"],
        "readme": None,
        "text": None,
        "keywords": None,
        "practice_models": None,
    }
    engine.index([sparse])
    (result,) = engine.search("pathway plan")["results"]
    assert result["practice_models"] == []
    engine.close()


def test_statutory_return_filter_and_collection_year(tmp_path: Path):
    """A return's alias filters ("903"), and its collection year ranks the pack right for it first."""
    from tests.search.corpus import pack

    docs = [
        pack(
            "kent/cla-903-extract",
            "CLA return extract",
            "Episodes for the 903.",
            "Checks.",
            returns={"ssda903": ["2025-26"]},
        ),
        pack(
            "essex/cla-903-extract",
            "CLA return extract",
            "Episodes for the 903.",
            "Checks.",
            returns={"ssda903": ["2026-27"]},
        ),
        pack(
            "devon/cin-census-extract",
            "CIN census extract",
            "Referrals.",
            "Checks.",
            returns={"cin-census": ["2026-27"]},
        ),
    ]
    engine = WhooshEngine(tmp_path / "index")
    try:
        engine.index(docs)
        assert keys(engine.search("903 2026-27"))[0] == "essex/cla-903-extract"
        assert keys(engine.search("903 2025-26"))[0] == "kent/cla-903-extract"
        only = engine.search("", filters={"statutory_return": ["903"]})
        assert sorted(keys(only)) == ["essex/cla-903-extract", "kent/cla-903-extract"]
        assert only["facets"]["statutory_return"] == {"cin-census": 1, "ssda903": 2}
        assert only["results"][0]["statutory_returns"] == ["ssda903"]
    finally:
        engine.close()
