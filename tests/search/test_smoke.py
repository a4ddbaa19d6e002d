"""The engine indexes, finds and forgets a pack."""

from datetime import UTC, datetime
from pathlib import Path

from registry.search import SearchDocument, WhooshEngine


def _doc(name: str, title: str) -> SearchDocument:
    return SearchDocument(
        publisher="leeds",
        name=name,
        version="1.0.0",
        title=title,
        summary=title,
        keywords=[],
        readme="",
        file_names=[],
        text="",
        supplier="system-c",
        products=["lcs"],
        service_areas=["childrens-social-care"],
        practice_models=[],
        organisation_structures=[],
        kinds=["workflow"],
        licence="OGL-UK-3.0",
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
        downloads=0,
    )


def test_index_search_remove(tmp_path: Path) -> None:
    engine = WhooshEngine(tmp_path / "index")
    engine.index([_doc("cp-workflow", "Child protection workflow")])
    assert engine.search("child protection")["total"] == 1
    engine.remove("leeds", "cp-workflow")
    assert engine.search("child protection")["total"] == 0
    engine.close()
