"""Index generations on disk: atomic rebuilds, one writer, readers that notice changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from registry.search import IndexFormatError, LockTimeout, WhooshEngine
from registry.search.parallel import RebuildError
from registry.search.query import plan
from registry.search.store import CURRENT, FORMAT_FILE, IndexStore
from tests.search.conftest import keys
from tests.search.corpus import BY_KEY, PACKS


def generations(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name.startswith("gen-"))


def test_a_new_engine_has_an_empty_index(tmp_path: Path) -> None:
    engine = WhooshEngine(tmp_path / "index")
    assert engine.count() == 0
    assert engine.keys() == set()
    answer = engine.search("anything")
    assert answer["total"] == 0 and answer["results"] == [] and answer["did_you_mean"] is None
    assert all(counts == {} for counts in answer["facets"].values())
    assert engine.suggest("a") == []
    engine.close()


def test_keys_and_count(engine: WhooshEngine) -> None:
    assert engine.count() == len(PACKS)
    assert engine.keys() == {(p["publisher"], p["name"], p["version"]) for p in PACKS}


def test_rebuild_swaps_in_a_new_directory(tmp_path: Path) -> None:
    path = tmp_path / "index"
    engine = WhooshEngine(path)
    engine.index(PACKS[:5])
    first = os.readlink(path / CURRENT)
    engine.rebuild(PACKS)
    second = os.readlink(path / CURRENT)
    assert first != second
    assert engine.count() == len(PACKS)
    engine.rebuild(PACKS[:3])
    # The previous generation stays for readers still on it; older ones are removed.
    assert generations(path) == sorted([second, os.readlink(path / CURRENT)])
    assert engine.count() == 3
    engine.close()


def test_a_reader_keeps_answering_while_another_engine_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "index"
    writer, reader = WhooshEngine(path), WhooshEngine(path)
    writer.index(PACKS)
    assert reader.search("LAC review")["results"]
    writer.rebuild(PACKS[:10])
    # The reader notices the new generation on its next search.
    assert reader.count() == 10
    writer.index([BY_KEY["kent/cla-review-workflow"]])
    assert keys(reader.search("LAC review"))[:1] == ["kent/cla-review-workflow"]
    writer.remove("kent", "cla-review-workflow")
    assert "kent/cla-review-workflow" not in keys(reader.search("LAC review"))
    writer.close()
    reader.close()


def test_a_failed_rebuild_leaves_the_current_index(tmp_path: Path) -> None:
    path = tmp_path / "index"
    engine = WhooshEngine(path)
    engine.index(PACKS)

    def broken():
        yield PACKS[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(broken())
    assert engine.count() == len(PACKS)
    # The half-built directory goes with the next swap.
    engine.rebuild(PACKS[:2])
    assert len(generations(path)) == 2
    engine.close()


def test_writers_wait_for_each_other(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.write_lock():
            held.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    with pytest.raises(LockTimeout):
        WhooshEngine(tmp_path / "index", lock_timeout=0.2).index(PACKS[:1])
    release.set()
    thread.join()
    engine = WhooshEngine(tmp_path / "index", lock_timeout=5)
    engine.index(PACKS[:1])
    assert engine.count() == 1
    engine.close()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index"
    WhooshEngine(path).index([])
    errors: list[BaseException] = []

    def write(docs: list) -> None:
        try:
            engine = WhooshEngine(path, lock_timeout=30)
            for doc in docs:
                engine.index([doc])
            engine.close()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(PACKS[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = WhooshEngine(path)
    assert engine.count() == len(PACKS)
    engine.close()


def test_an_index_of_another_format_asks_for_a_reindex(tmp_path: Path) -> None:
    path = tmp_path / "index"
    engine = WhooshEngine(path)
    engine.index(PACKS[:1])
    engine.close()
    current = path / os.readlink(path / CURRENT)
    (current / FORMAT_FILE).write_text("0\n")
    with pytest.raises(IndexFormatError, match="reindex"):
        WhooshEngine(path).search("review")
    # A rebuild replaces it.
    engine = WhooshEngine(path)
    engine.rebuild(PACKS)
    assert engine.count() == len(PACKS)
    engine.close()


def test_results_are_copies(engine: WhooshEngine) -> None:
    first = engine.search("review")
    first["results"].clear()
    first["facets"].clear()
    again = engine.search("review")
    assert again["results"] and again["facets"]


@pytest.mark.parametrize("procs", [1, 2])
def test_a_pack_that_cannot_be_indexed_fails_the_rebuild_not_the_index(
    tmp_path: Path, procs: int
) -> None:
    path = tmp_path / "index"
    engine = WhooshEngine(path, procs=procs, lock_timeout=30)
    engine.index(PACKS)
    bad = {**PACKS[3], "name": "broken", "updated_at": "last tuesday"}
    with pytest.raises((RebuildError, AttributeError)):
        engine.rebuild([*PACKS[:3], bad, *PACKS[4:]])
    assert engine.count() == len(PACKS)
    assert len(generations(path)) == 2  # the abandoned one goes with the next swap
    engine.rebuild(PACKS[:5])
    assert engine.count() == 5
    engine.close()


def test_a_reader_two_rebuilds_behind_catches_up(tmp_path: Path) -> None:
    path = tmp_path / "index"
    writer, reader = WhooshEngine(path), WhooshEngine(path)
    writer.index(PACKS)
    first = os.readlink(path / CURRENT)
    assert reader.search("review")["total"] > 0
    writer.rebuild(PACKS[:4])
    writer.rebuild(PACKS[:6])
    assert first not in generations(path)  # the reader's generation is gone from disk
    assert reader.count() == 6
    assert reader.search("", per_page=100)["total"] == 6
    writer.close()
    reader.close()


def test_a_warmed_engine_has_the_commonest_words_ready_and_answers_the_same(
    tmp_path: Path,
) -> None:
    warmed = WhooshEngine(tmp_path / "index")
    warmed.index(PACKS)
    warmed.warm()
    snap = warmed._snapshot
    assert snap is not None
    common = snap.common_words(5)
    assert "review" in common
    # The matches of a common word are in the cache before anyone searched for it.
    (concept,) = plan("review").concepts
    assert concept.key in snap._concepts
    cold = WhooshEngine(tmp_path / "index")
    for q in ("review", "assessment plan", "safeguarding adults"):
        assert warmed.search(q) == cold.search(q)
    warmed.close()
    cold.close()


def segment_count(path: Path) -> int:
    """How many segments the current index has (Whoosh's public reader API)."""
    from whoosh import index

    ix = index.open_dir(str(IndexStore(path).current()))
    try:
        with ix.reader() as reader:
            return len(reader.leaf_readers())
    finally:
        ix.close()


def test_updates_pack_by_pack_stay_unmerged_until_many_then_rank_as_a_rebuild(
    tmp_path: Path,
) -> None:
    """Each update writes a segment of its own (no merge on the approval's path) until the
    index has MERGE_AT of them; answers are those of an index rebuilt from the same packs."""
    from registry.search.engine import MERGE_AT

    updated = WhooshEngine(tmp_path / "updated")
    rebuilt = WhooshEngine(tmp_path / "rebuilt")
    try:
        updated.rebuild(PACKS)
        segments = []
        for i in range(MERGE_AT + 8):
            doc = dict(PACKS[i % len(PACKS)])
            doc["summary"] = f"{doc['summary']} Revision {i}."
            updated.index([doc])
            segments.append(segment_count(tmp_path / "updated"))
        assert max(segments) <= MERGE_AT + 1, segments
        assert segments[: MERGE_AT - 2] == list(range(2, MERGE_AT)), segments  # one per update
        final = {d["publisher"] + "/" + d["name"]: d for d in PACKS}
        for i in range(MERGE_AT + 8):
            doc = dict(PACKS[i % len(PACKS)])
            doc["summary"] = f"{doc['summary']} Revision {i}."
            final[doc["publisher"] + "/" + doc["name"]] = doc
        rebuilt.rebuild(list(final.values()))
        for q in ("child protection", "signs of safety", "revision", "MASH"):
            assert updated.search(q)["results"] == rebuilt.search(q)["results"], q
    finally:
        updated.close()
        rebuilt.close()
