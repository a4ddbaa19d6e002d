"""Abbreviations and synonyms work both ways; stemming; did_you_mean."""

from __future__ import annotations

import pytest

from registry.search import WhooshEngine
from registry.search.analysis import stems
from registry.search.query import plan
from registry.search.synonyms import load_synonyms, parse
from tests.search.conftest import keys


@pytest.mark.parametrize(
    ("q", "finds"),
    [
        # Kent writes only "CLA"; Essex only "looked after children".
        ("looked after children", "kent/cla-review-workflow"),
        ("LAC", "kent/cla-review-workflow"),
        ("CLA", "essex/placement-plan"),
        ("LAC", "essex/placement-plan"),
        ("children in care", "kent/cla-review-workflow"),
        # Devon writes "section 47"; Bradford "S47".
        ("S47", "devon/section-47-strategy-discussion"),
        ("section 47", "bradford/icpc-invitation-letters"),
        # Wiltshire writes "SoS", Norfolk "Signs of Safety".
        ("signs of safety", "wiltshire/sos-assessment-danger-statements"),
        ("SoS", "norfolk/mosaic-sos-mapping-form"),
        ("ICPC", "bradford/icpc-invitation-letters"),
        ("public law outline", "hampshire/plo-letters"),
        ("education health and care plan", "bristol/ehcp-annual-review"),
        ("deprivation of liberty safeguards", "cornwall/deprivation-of-liberty-tracker"),
        ("continuing healthcare", "derbyshire/chc-checklist"),
        ("CIN", "oxfordshire/eclipse-child-in-need-plan"),
        ("child sexual exploitation", "manchester/exploitation-screening"),
        ("unaccompanied asylum seeking children", "lambeth/uasc-age-assessment"),
        ("IRO", "kent/cla-review-workflow"),
        ("independent reviewing officer", "kent/cla-review-workflow"),
        ("EH", "nottinghamshire/ehm-early-help-assessment"),
        ("multi-agency safeguarding hub", "surrey/mash-front-door-triage"),
    ],
)
def test_synonyms_both_ways(engine: WhooshEngine, q: str, finds: str) -> None:
    assert finds in keys(engine.search(q, per_page=100))


@pytest.mark.parametrize(
    ("q", "finds"),
    [
        ("liquidlogic", "hertfordshire/family-safeguarding-cp-workflow"),
        ("servelec", "barnet/mosaic-role-profiles"),
        ("mosaic", "essex/placement-plan"),
        ("eclipse", "leicestershire/ssda903-return"),
        ("olm", "oxfordshire/eclipse-child-in-need-plan"),
    ],
)
def test_supplier_and_product_words_find_tagged_packs(
    engine: WhooshEngine, q: str, finds: str
) -> None:
    assert finds in keys(engine.search(q, per_page=100))


def test_an_abbreviation_does_not_match_ordinary_words(engine: WhooshEngine) -> None:
    # "SoS" must not become "so": nothing in the corpus says "SoS" except Wiltshire, and
    # Signs of Safety packs are the only ones found.
    found = set(keys(engine.search("SoS", per_page=100)))
    assert found == {
        "wiltshire/sos-assessment-danger-statements",
        "norfolk/mosaic-sos-mapping-form",
    }


@pytest.mark.parametrize(
    ("q", "finds"),
    [
        ("assessing", "lambeth/uasc-age-assessment"),
        ("conferences", "bradford/icpc-invitation-letters"),
        ("screened", "manchester/exploitation-screening"),
        ("dashboards", "sheffield/caseload-dashboard"),
        ("child's", "oxfordshire/eclipse-child-in-need-plan"),
    ],
)
def test_stemming(engine: WhooshEngine, q: str, finds: str) -> None:
    assert finds in keys(engine.search(q, per_page=100))


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("safegaurding", "safeguarding"),
        ("mosiac", "mosaic"),
        ("danger statments", "danger statements"),
        ("chilld protection", "child protection"),
    ],
)
def test_did_you_mean_corrects_rare_or_unknown_words(
    engine: WhooshEngine, q: str, suggestion: str
) -> None:
    assert engine.search(q)["did_you_mean"] == suggestion


@pytest.mark.parametrize(
    "q", ["safeguarding", "caseload dashboards", "LAC review", "S47", "", "zzzz", "qwertyuiop"]
)
def test_no_suggestion_for_known_words_or_nothing_close(engine: WhooshEngine, q: str) -> None:
    assert engine.search(q)["did_you_mean"] is None


def test_packaged_synonyms_cover_the_abbreviations_users_type() -> None:
    synonyms = load_synonyms()
    for abbreviation in [
        "sos",
        "cp",
        "cin",
        "cla",
        "lac",
        "eh",
        "mash",
        "s47",
        "icpc",
        "rcpc",
        "fgc",
        "plo",
        "send",
        "ehcp",
        "cse",
        "cce",
        "uasc",
        "iro",
        "dols",
        "lps",
        "chc",
        "asc",
        "csc",
        "taf",
    ]:
        assert tuple(stems(abbreviation)) in synonyms.groups, abbreviation
    assert synonyms.facet_words[("liquidlog",)] == (("supplier", "system-c"),)
    assert ("supplier", "access-group") in synonyms.facet_words[("servelec",)]


def test_synonyms_file_naming_an_unknown_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        parse({"facet_words": {"carefree": ["supplier:carefree-systems"]}})


def test_groups_sharing_an_expression_are_joined() -> None:
    synonyms = parse({"groups": [["a1", "b1"], ["b1", "c1"]]})
    assert set(synonyms.groups[("a1",)]) == {("a1",), ("b1",), ("c1",)}


def test_a_new_multi_word_synonym_matches_before_a_reindex(engine: WhooshEngine) -> None:
    # Its word pairs are not in the index yet, so the phrase matches as all of its words in
    # one field: Kent's README says "corporate parenting board".
    synonyms = parse({"groups": [["corporate parenting board", "cpb"]]})
    (concept,) = plan("CPB", synonyms).concepts
    snap = engine._current()
    found = {"/".join(snap.meta[d][:2]) for d in snap.concept(concept).scores}
    assert found == {"kent/cla-review-workflow"}
