"""Keeping the instance healthy: health checks, and pruning what no decision keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text

from registry.db.models import DownloadClient
from registry.services.catalogue import DOWNLOAD_WINDOW_SECONDS
from registry.services.context import Registry
from registry.store.models import GcReport


def collect_garbage(reg: Registry) -> GcReport:
    """Prune unreachable git objects and stale archives; forget past download windows."""
    report = reg.store.gc()
    cutoff = datetime.now(UTC) - timedelta(seconds=2 * DOWNLOAD_WINDOW_SECONDS)
    with reg.db.session() as session:
        session.execute(delete(DownloadClient).where(DownloadClient.at < cutoff))
    return report


def health(reg: Registry) -> tuple[bool, dict[str, str]]:
    """Whether database, store and index can be used, and what each says."""
    checks = {}
    try:
        with reg.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    checks["store"] = (
        "ok" if reg.store.is_ready() else "error: not initialised (run cmsreg-server init)"
    )
    try:
        checks["index"] = f"ok ({reg.search.count()} packs)"
    except Exception as exc:  # likewise
        checks["index"] = f"error: {type(exc).__name__}; rebuild it with `cmsreg-server reindex`"
    return all(v.startswith("ok") for v in checks.values()), checks
