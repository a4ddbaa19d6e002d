"""Fixtures: a real Whoosh index of the test corpus in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.search import WhooshEngine
from tests.search.corpus import PACKS


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshEngine]:
    """An engine over the whole corpus, shared by a module's read-only tests."""
    e = WhooshEngine(tmp_path_factory.mktemp("search") / "index")
    e.index(PACKS)
    yield e
    e.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[WhooshEngine]:
    """An engine over the whole corpus that a test may change."""
    e = WhooshEngine(tmp_path / "index")
    e.index(PACKS)
    yield e
    e.close()


def keys(answer: dict) -> list[str]:
    """Return "publisher/name" of each result, in order."""
    return [f"{r['publisher']}/{r['name']}" for r in answer["results"]]
