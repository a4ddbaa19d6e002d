"""What a council systems administrator types finds the right pack first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.search import WhooshEngine
from tests.search.conftest import keys
from tests.search.corpus import pack

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


def test_packs_matching_every_word_rank_above_packs_matching_most(fresh: WhooshEngine) -> None:
    # Four concepts: a pack needs three. The EHM pack matches all four; a pack matching three,
    # however often it says them and in its title, is found but cannot outrank it.
    fresh.index(
        [
            pack(
                "rutland/early-help-assessment",
                "Early help assessment: early help assessment form",
                "Early help assessment for Liquidlogic: early help, assessment, assessment.",
                "# Early help assessment\n\n" + "Early help assessment. " * 40,
                keywords=("early help", "assessment", "liquidlogic"),
            )
        ]
    )
    answer = fresh.search("liquidlogic EHM early help assessment")
    assert keys(answer) == [
        "nottinghamshire/ehm-early-help-assessment",
        "rutland/early-help-assessment",
    ]
    assert answer["total"] == 2


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


# --- the example packs in content_repo/ --------------------------------------------------------
# What a council systems administrator types about the 2026 vocabulary and the statutory returns
# finds the example pack that covers it, through synonyms.yaml alone (no engine changes).

EXAMPLE_TEXT = {".sql", ".yaml", ".yml", ".csv", ".md", ".json", ".xml", ".moform", ".txt"}


def _example_document(folder, manifest) -> dict:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in files
        if p.suffix in EXAMPLE_TEXT and p.name not in ("README.md", "cmspack.yaml")
    )
    return {
        "publisher": manifest["publisher"],
        "name": manifest["name"],
        "version": manifest["version"],
        "title": manifest["title"],
        "summary": manifest["summary"],
        "keywords": manifest.get("keywords") or [],
        "readme": (folder / "README.md").read_text(encoding="utf-8"),
        "file_names": [p.relative_to(folder).as_posix() for p in files],
        "text": text,
        "supplier": manifest["supplier"],
        "products": [p["id"] for p in manifest["products"]],
        "service_areas": manifest["service_areas"],
        "practice_models": manifest.get("practice_models") or [],
        "organisation_structures": manifest.get("organisation_structures") or [],
        "kinds": manifest["kinds"],
        "statutory_returns": [r["id"] for r in manifest.get("statutory_returns") or []],
        "return_years": [y for r in manifest.get("statutory_returns") or [] for y in r["years"]],
        "licence": manifest["licence"],
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
        "downloads": 0,
    }


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory):
    """An engine over the newest version of every example pack in content_repo/."""
    from tests.test_content import latest, manifests

    docs = [
        _example_document(folder, manifest)
        for folder, manifest in manifests().items()
        if latest()[f"{manifest['publisher']}/{manifest['name']}"] is manifest
    ]
    e = WhooshEngine(tmp_path_factory.mktemp("examples") / "index")
    e.index(docs)
    yield e
    e.close()


# (query as typed, a pack that must be among the first results, how many results to look at)
EXAMPLES = [
    ("CLD", "camden/cld-quarterly-return", 1),
    ("client level data", "camden/cld-quarterly-return", 1),
    ("SALT", "camden/cld-quarterly-return", 1),
    ("SAC", "salford/msp-s42-enquiry-workflow", 1),
    ("safeguarding adults collection", "salford/msp-s42-enquiry-workflow", 1),
    ("903 care leavers", "birmingham-childrens-trust/care-leavers-pathway-plan", 1),
    ("Annex A adopters", "liquidlogic-user-group/lcs-annex-a-lists", 1),
    ("SSD", "data-to-insight/standard-safeguarding-dataset", 1),
    ("children's social care data flow", "data-to-insight/standard-safeguarding-dataset", 1),
    ("Liberty Protection Safeguards", "eclipse-user-group/dols-lps-workflow", 1),
    ("families first", "stockport/ehm-early-help-assessment-taf", 2),
    ("family hubs", "calderdale/family-help-request-for-support", 2),
    ("FGDM", "calderdale/family-help-request-for-support", 3),
    ("MACPT", "hertfordshire/family-safeguarding-cp-workflow", 2),
    ("community led support", "mosaic-user-group/community-led-support-conversations", 1),
    ("outcome star", "careworks-user-group/carers-assessment-and-support-plan", 1),
    ("kinship", "isle-of-wight/kinship-connected-persons-assessment", 1),
    ("connected person", "isle-of-wight/kinship-connected-persons-assessment", 1),
    ("staying close", "birmingham-childrens-trust/care-leavers-pathway-plan", 1),
    ("preparing for adulthood", "gateshead/preparing-for-adulthood-transitions", 2),
    ("all-age disability", "liquidlogic-user-group/las-all-age-disability-transfer", 1),
    ("CareDirector", "west-berkshire/caredirector-exit-and-migration", 1),
    ("annex a list 11", "liquidlogic-user-group/lcs-annex-a-lists", 1),
    ("family help front door", "calderdale/family-help-request-for-support", 2),
]


def test_a_return_and_its_collection_year_find_the_packs_that_feed_it(examples: WhooshEngine):
    """ "903 2026-27": the two packs that feed the SSDA903 return for 2026-27 come first."""
    found = keys(examples.search("903 2026-27"))
    assert set(found[:2]) == {
        "birmingham-childrens-trust/care-leavers-pathway-plan",
        "mosaic-user-group/cla-review-iro-workflow",
    }, found
    narrowed = examples.search("", filters={"statutory_return": ["903"]})
    assert sorted(keys(narrowed)) == sorted(found[:2])
    assert narrowed["facets"]["statutory_return"]["ssda903"] == 2


@pytest.mark.parametrize(("q", "expected", "within"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_example_packs_are_found_by_the_2026_vocabulary(
    examples: WhooshEngine, q: str, expected: str, within: int
) -> None:
    assert expected in keys(examples.search(q))[:within]
