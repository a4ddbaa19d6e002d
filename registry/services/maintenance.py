"""Keeping the instance lean: prune content no decision keeps, and forgotten download clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

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
