"""The registry's components in one object: settings, database, content store, search."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.db import Database
from registry.packs.limits import Limits
from registry.settings import limits_from, load_settings
from registry.store import ContentStore
from registry.store.interface import PackStore

if TYPE_CHECKING:  # the engine (and Whoosh) is imported only when a command first searches
    from registry.search.interface import SearchEngine


@dataclass
class Registry:
    """What every service needs; one per process (the app factory or a command makes it)."""

    settings: dict[str, Any]
    db: Database
    store: PackStore
    limits: Limits
    _search: SearchEngine | None = field(default=None, repr=False)
    # Small read caches of this process's services, by name (e.g. organisation names).
    caches: dict[str, Any] = field(default_factory=dict, repr=False)
    # The search indexer thread (services/searchsync.Indexer), started by the first change.
    indexer: Any = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, overrides: dict[str, Any] | None = None) -> Registry:
        """Build the components from settings (defaults, instance file, environment, overrides)."""
        settings = load_settings(overrides)
        Path(settings["INSTANCE"]).mkdir(parents=True, exist_ok=True)
        store = ContentStore(Path(settings["STORE_PATH"]), Path(settings["ARCHIVE_CACHE"]))
        return cls(settings, Database(settings["DATABASE_URL"]), store, limits_from(settings))

    @property
    def search(self) -> SearchEngine:
        """The search engine, opened on first use (commands that never search never open it)."""
        if self._search is None:
            from registry.search import WhooshEngine

            self._search = WhooshEngine(
                Path(self.settings["INDEX_PATH"]),
                lock_timeout=float(self.settings["SEARCH_LOCK_TIMEOUT"]),
            )
        return self._search

    def init(self) -> None:
        """Create or upgrade everything the instance needs (idempotent)."""
        self.db.upgrade()
        self.store.init()

    def close(self) -> None:
        """Index what is queued, then release connections, git processes and index handles."""
        if self.indexer is not None:
            self.indexer.close()
            self.indexer = None
        if self._search is not None:
            self._search.close()
        self.store.close()
        self.db.dispose()
