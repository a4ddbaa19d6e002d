"""The vocabularies data file, its lookups, and the generated docs page."""

from __future__ import annotations

from pathlib import Path

from registry.packs.vocabulary import load_vocabularies, render_markdown, vocabulary_as_dict

ROOT = Path(__file__).resolve().parents[2]


def test_every_vocabulary_of_the_spec_is_present_with_its_required_values():
    v = load_vocabularies()
    assert {
        "supplier",
        "product",
        "service_area",
        "practice_model",
        "organisation_structure",
        "kind",
        "organisation_type",
        "licence",
    } <= set(v)
    assert {
        "system-c",
        "access-group",
        "olm",
        "careworks",
        "azeus",
        "civica",
        "tpp",
        "caredirector",
        "in-house",
        "other",
    } == set(v["supplier"].slugs)
    assert {"caredirector", "careworks", "in-house-system"} <= set(v["product"].slugs)
    assert {
        "cin-census",
        "ssda903",
        "ofsted-annex-a",
        "sen2",
        "sac",
        "cld",
        "dols",
        "csc-api-data-flow",
    } <= set(v["statutory_return"].slugs)
    assert {
        "signs-of-safety",
        "family-safeguarding",
        "systemic-practice",
        "three-conversations",
        "mockingbird",
        "no-wrong-door",
        "supporting-families",
        "family-help",
        "family-group-decision-making",
        "community-led-support",
        "outcome-star",
        "staying-close",
        "lifelong-links",
        "kinship-care",
    } <= set(v["practice_model"].slugs)
    assert {
        "multi-agency-child-protection-teams",
        "family-help-service",
        "best-start-family-hubs",
        "regional-care-cooperatives",
        "all-age-disability",
        "preparing-for-adulthood",
        "edge-of-care",
    } <= set(v["organisation_structure"].slugs)
    assert "procurement" in v["kind"].slugs
    assert {"OGL-UK-3.0", "MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "BSD-3-Clause"} <= set(
        v["licence"].slugs
    )


def test_slugs_and_aliases_are_unique_within_each_vocabulary():
    for vocab in load_vocabularies().values():
        names = [t.slug.lower() for t in vocab.terms] + [
            a.lower() for t in vocab.terms for a in t.aliases
        ]
        assert len(names) == len(set(names)), vocab.key


def test_aliases_resolve_case_insensitively():
    v = load_vocabularies()
    assert v["supplier"].resolve("Liquidlogic").slug == "system-c"
    assert v["supplier"].resolve("servelec").slug == "access-group"
    assert v["practice_model"].resolve("reclaiming-social-work").slug == "systemic-practice"
    assert v["practice_model"].resolve("think-family").slug == "supporting-families"
    assert v["supplier"].resolve("nonsense") is None


def test_closest_names_the_nearest_slugs():
    assert load_vocabularies()["practice_model"].closest("signs-of-safty")[0] == "signs-of-safety"


def test_vocabulary_as_dict_is_json_ready():
    data = vocabulary_as_dict()
    assert data["supplier"]["terms"][0] == {
        "slug": "system-c",
        "name": "System C (Liquidlogic)",
        "description": data["supplier"]["terms"][0]["description"],
        "aliases": ["liquidlogic", "systemc"],
    }


def test_docs_vocabularies_page_is_generated_from_the_data_file():
    page = (ROOT / "docs" / "vocabularies.md").read_text(encoding="utf-8")
    assert page == render_markdown(), (
        "Regenerate: python -m registry.packs.vocabulary > docs/vocabularies.md"
    )


def test_deprecated_terms_name_a_reason_and_a_current_successor():
    deprecated = {
        (key, t.slug): t.deprecated
        for key, vocab in load_vocabularies().items()
        for t in vocab.terms
        if t.deprecated
    }
    assert {
        ("practice_model", "supporting-families"),
        ("organisation_structure", "family-help-teams"),
        ("statutory_return", "salt"),
        ("statutory_return", "liberty-protection-safeguards"),
    } <= set(deprecated)
    vocabularies = load_vocabularies()
    for (key, slug), d in deprecated.items():
        assert d.reason, slug
        if d.successor:
            successor = vocabularies[key].resolve(d.successor)
            assert successor is not None and successor.slug == d.successor, slug
            assert successor.deprecated is None, f"{slug} points at a deprecated successor"


def test_deprecation_is_served_and_shown_in_the_docs():
    terms = {t["slug"]: t for t in vocabulary_as_dict()["practice_model"]["terms"]}
    assert terms["supporting-families"]["deprecated"]["successor"] == "family-help"
    assert "deprecated" not in terms["signs-of-safety"]
    page = render_markdown()
    line = next(row for row in page.splitlines() if row.startswith("| `supporting-families`"))
    assert "**Deprecated:**" in line and "`family-help`" in line


def test_multi_agency_child_protection_teams_cite_the_act():
    term = load_vocabularies()["organisation_structure"].resolve("macpt")
    assert "Children's Wellbeing and Schools Act 2026" in term.description
