"""What a council systems administrator types finds the right pack first."""

from __future__ import annotations

import pytest

from registry.search import WhooshEngine
from tests.search.conftest import keys

# (query as typed, the pack that must come first)
FIRST = [
    ("SoS danger statements", "wiltshire/sos-assessment-danger-statements"),
    ("LAC review", "kent/cla-review-workflow"),
    ("front door triage", "surrey/mash-front-door-triage"),
    ("ICPC invitation letter", "bradford/icpc-invitation-letters"),
    ("S47 strategy discussion", "devon/section-47-strategy-discussion"),
    ("liquidlogic EHM early help assessment", "nottinghamshire/ehm-early-help-assessment"),
    ("three conversations", "somerset/three-conversations-recording"),
    ("DoLS", "cornwall/deprivation-of-liberty-tracker"),
    ("CIN census return", "camden/cin-census-extract"),
    ("mosaic signs of safety form", "norfolk/mosaic-sos-mapping-form"),
    ("FGC", "leeds/fgc-referral-workflow"),
    ("CLA placement plan", "essex/placement-plan"),
    ("initial child protection conference", "bradford/icpc-invitation-letters"),
    ("EHCP annual review", "bristol/ehcp-annual-review"),
    ("care leavers pathway plan", "york/care-leavers-pathway-plan"),
    ("fostering form F", "suffolk/fostering-form-f"),
    ("PLO letters", "hampshire/plo-letters"),
    ("UASC age assessment", "lambeth/uasc-age-assessment"),
    ("CHC", "derbyshire/chc-checklist"),
    ("eclipse child in need plan", "oxfordshire/eclipse-child-in-need-plan"),
    ("procurement specification", "westminster/cms-procurement-specification"),
    ("domestic abuse safe and together", "kirklees/safe-and-together-assessment"),
    ("section 42 enquiry", "staffordshire/adult-safeguarding-enquiry"),
    ("case notes systemic units", "hackney/systemic-unit-case-notes"),
    ("no wrong door", "north-yorkshire/no-wrong-door-hub"),
    ("SSDA903", "leicestershire/ssda903-return"),
    ("CSE CCE screening", "manchester/exploitation-screening"),
    ("RCPC minutes", "lancashire/rcpc-minutes-template"),
    ("Ofsted annex A", "liverpool/annex-a-lists"),
    ("caseload dashboards", "sheffield/caseload-dashboard"),
]


@pytest.mark.parametrize(("q", "expected"), FIRST, ids=[q for q, _ in FIRST])
def test_the_right_pack_comes_first(engine: WhooshEngine, q: str, expected: str) -> None:
    assert keys(engine.search(q))[:1] == [expected]


def test_packs_matching_every_word_rank_above_packs_matching_most(engine: WhooshEngine) -> None:
    # Four concepts: a pack needs three. The EHM pack matches all four; the Mosaic early
    # help-less packs cannot outrank it however often they say "assessment".
    answer = engine.search("liquidlogic EHM early help assessment")
    assert keys(answer)[0] == "nottinghamshire/ehm-early-help-assessment"
    assert answer["total"] >= 1


def test_a_long_query_still_finds_packs_matching_most_words(engine: WhooshEngine) -> None:
    found = keys(engine.search("family group conference referral plan coordinator chair"))
    assert found[0] == "leeds/fgc-referral-workflow"


def test_one_unknown_word_does_not_hide_everything(engine: WhooshEngine) -> None:
    # "zebra" matches nothing, so packs matching the other word are found rather than none.
    assert keys(engine.search("zebra pathway"))[:1] == ["york/care-leavers-pathway-plan"]


def test_an_empty_query_lists_everything_newest_first(engine: WhooshEngine) -> None:
    answer = engine.search("", per_page=100)
    dates = [r["updated_at"] for r in answer["results"]]
    assert answer["total"] == len(dates) == 32
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("sort", ["updated", "downloads", "name"])
def test_sorting(engine: WhooshEngine, sort: str) -> None:
    answer = engine.search("assessment", sort=sort, per_page=100)
    results = answer["results"]
    assert len(results) == answer["total"] > 3
    if sort == "updated":
        assert [r["updated_at"] for r in results] == sorted(
            (r["updated_at"] for r in results), reverse=True
        )
    elif sort == "downloads":
        assert [r["downloads"] for r in results] == sorted(
            (r["downloads"] for r in results), reverse=True
        )
    else:
        assert [r["name"] for r in results] == sorted(r["name"] for r in results)


def test_pages_do_not_overlap_and_cover_everything(engine: WhooshEngine) -> None:
    whole = keys(engine.search("", sort="name", per_page=100))
    pages = [keys(engine.search("", sort="name", page=p, per_page=7)) for p in range(1, 6)]
    assert [k for page in pages for k in page] == whole
    assert engine.search("", page=99)["results"] == []


def test_per_page_is_clamped(engine: WhooshEngine) -> None:
    assert engine.search("", per_page=1000)["per_page"] == 100
    assert engine.search("", per_page=0)["per_page"] == 1
    assert engine.search("", page=0)["page"] == 1
