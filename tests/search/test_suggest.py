"""Typeahead on pack names and titles."""

from __future__ import annotations

import pytest

from registry.search import WhooshEngine


def names(found: list[dict]) -> list[str]:
    return [f"{s['publisher']}/{s['name']}" for s in found]


def test_prefixes_of_title_words(engine: WhooshEngine) -> None:
    found = engine.suggest("famil")
    assert names(found)[:2] == [
        "hertfordshire/family-safeguarding-cp-workflow",
        "leeds/fgc-referral-workflow",
    ]
    assert set(found[0]) == {"publisher", "name", "title"}
    assert found[0]["title"] == "Family Safeguarding child protection workflow"


def test_every_word_typed_must_match(engine: WhooshEngine) -> None:
    assert names(engine.suggest("child prot")) == [
        "hertfordshire/family-safeguarding-cp-workflow",  # more downloads first
        "lancashire/rcpc-minutes-template",
    ]
    assert names(engine.suggest("no wr")) == ["north-yorkshire/no-wrong-door-hub"]


def test_names_match_too(engine: WhooshEngine) -> None:
    assert "camden/cin-census-extract" in names(engine.suggest("cin-cen"))


def test_limit_and_order(engine: WhooshEngine) -> None:
    found = engine.suggest("s", limit=3)
    assert len(found) == 3
    assert engine.suggest("s", limit=0) == []


@pytest.mark.parametrize("q", ["", "   ", "zzz", "<script>"])
def test_nothing(engine: WhooshEngine, q: str) -> None:
    assert engine.suggest(q) == []
