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
        "in-house",
        "other",
    } == set(v["supplier"].slugs)
    assert {
        "signs-of-safety",
        "family-safeguarding",
        "systemic-practice",
        "three-conversations",
        "mockingbird",
        "no-wrong-door",
        "supporting-families",
    } <= set(v["practice_model"].slugs)
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
