"""Fixtures for the content store: a real bare repository in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.store import ContentStore

from .helpers import fsck


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ContentStore]:
    """An initialised, empty content store."""
    with ContentStore(tmp_path / "content.git", tmp_path / "archives") as s:
        s.init()
        yield s
        fsck(s)  # every test leaves a repository git finds sound
