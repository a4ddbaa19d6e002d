"""GET /search sends the engine's JSON as it is: it must already be what SearchOut would dump."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.api.search import SearchOut
from registry.search import WhooshEngine
from tests.search.corpus import PACKS

SEARCHES = [
    ("danger statements", {}),
    ("", {"supplier": ["system-c"]}),
    ("safegaurding", {}),
    ("review", {"kind": ["form", "workflow"], "product": ["mosaic"]}),
    ("zzzz nothing", {}),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshEngine]:
    e = WhooshEngine(tmp_path_factory.mktemp("shape") / "index")
    e.index(PACKS)
    yield e
    e.close()


@pytest.mark.parametrize(("q", "filters"), SEARCHES)
def test_the_engines_json_is_what_the_schema_dumps(
    engine: WhooshEngine, q: str, filters: dict
) -> None:
    fresh = json.loads(engine.search_json(q, filters))  # computed now
    cached = json.loads(engine.search_json(q, filters))  # from the results cache
    assert fresh == cached == engine.search(q, filters)
    assert SearchOut().dump(fresh) == fresh
    assert list(fresh) == list(SearchOut().fields)


def test_the_api_sends_the_same_answer_as_the_engine(client, reg, tmp_path: Path) -> None:
    reg.search.index(PACKS)
    r = client.get("/api/v1/search?q=review&kind=form&kind=workflow")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert r.get_json() == reg.search.search("review", {"kind": ["form", "workflow"]})
    assert r.get_json()["total"] > 1
