"""Reading approved content: packs, versions, files, diffs, downloads, publishers.

The public functions take the Registry and own their (read) transactions; get_pack and
get_version work inside a caller's session, for other services (yanking).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cachetools import TTLCache
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from registry.db.models import DailyDownloads, DownloadClient, Organisation, Pack, Version
from registry.errors import BadRequest, NotFound
from registry.packs.filetypes import is_text_name
from registry.packs.manifest import SLUG_RE
from registry.packs.versions import SemVer, is_semver
from registry.packs.vocabulary import vocabulary_as_dict
from registry.services.context import Registry
from registry.services.searchsync import latest_version
from registry.store.models import ArchiveFile

FORMATS = {"zip": "application/zip", "tar.gz": "application/gzip"}
# Downloads of one version by one client within this many seconds count once.
DOWNLOAD_WINDOW_SECONDS = 600
# Client keys each process remembers as counted (a bound on memory, not on correctness).
SEEN_CLIENTS = 20_000
_seen_lock = threading.Lock()


def get_pack(session: Session, publisher: str, name: str) -> Pack:
    """Return a pack with at least one approved version, or raise NotFound."""
    if not (SLUG_RE.match(publisher) and SLUG_RE.match(name)):
        raise NotFound(f"No pack {publisher[:64]}/{name[:64]}: publisher and name are slugs.")
    pack = session.scalar(
        select(Pack).join(Organisation).where(Organisation.slug == publisher, Pack.name == name)
    )
    if pack is None or not pack.versions:
        raise NotFound(f"No pack {publisher}/{name}. Search the registry for the right name.")
    return pack


def get_version(session: Session, publisher: str, name: str, version: str) -> Version:
    """Return an exact version, or the latest when version is `latest`; yanked ones only exactly."""
    pack = get_pack(session, publisher, name)
    if version == "latest":
        found = latest_version(pack.versions)
        if found is None:
            raise NotFound(
                f"Every version of {publisher}/{name} is yanked; ask for an exact version."
            )
        return found
    if not is_semver(version):
        raise NotFound(
            f"'{version[:64]}' is not a version: use MAJOR.MINOR.PATCH like 1.2.0, or latest."
        )
    for v in pack.versions:
        if v.version == version:
            return v
    raise NotFound(
        f"{publisher}/{name} has no approved version {version}; versions: {', '.join(sorted_versions(pack))}."
    )


def sorted_versions(pack: Pack) -> list[str]:
    """Version strings of a pack, newest first."""
    return [
        v.version
        for v in sorted(pack.versions, key=lambda v: SemVer.parse(v.version), reverse=True)
    ]


def version_summary(v: Version) -> dict[str, Any]:
    """A version as listed under its pack."""
    return {
        "version": v.version,
        "approved_at": v.approved_at,
        "yanked": v.yanked,
        "yank_reason": v.yank_reason,
        "downloads": v.downloads,
    }


def pack_detail(reg: Registry, publisher: str, name: str) -> dict[str, Any]:
    """A pack: latest version's manifest, all versions (yanked flagged), downloads, depends."""
    with reg.db.session() as session:
        return _pack_detail(session, publisher, name)


def _pack_detail(session: Session, publisher: str, name: str) -> dict[str, Any]:
    pack = get_pack(session, publisher, name)
    latest = latest_version(pack.versions)
    newest_any = max(pack.versions, key=lambda v: SemVer.parse(v.version))
    shown = latest or newest_any
    ordered = sorted(pack.versions, key=lambda v: SemVer.parse(v.version), reverse=True)
    return {
        "publisher": publisher,
        "name": name,
        "example": pack.publisher.example,
        "title": shown.manifest.get("title"),
        "summary": shown.manifest.get("summary"),
        "latest": latest.version if latest else None,
        "manifest": shown.manifest,
        "versions": [version_summary(v) for v in ordered],
        "downloads": sum(v.downloads for v in pack.versions),
        "depends": shown.manifest.get("depends") or {},
    }


def version_detail(reg: Registry, publisher: str, name: str, version: str) -> dict[str, Any]:
    """One version: manifest, files with size and SHA-256, archive checksums, approval, commit."""
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
    files = reg.store.list_files(publisher, name, v.version)
    return {
        "publisher": publisher,
        "name": name,
        "example": v.pack.publisher.example,
        "version": v.version,
        "manifest": v.manifest,
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in files],
        "archive_sha256": {"zip": v.zip_sha256, "tar.gz": v.tar_sha256},
        "approved_by": v.approved_by,
        "approved_at": v.approved_at,
        "commit": v.commit,
        "tag": f"{publisher}/{name}/v{v.version}",
        "yanked": v.yanked,
        "yank_reason": v.yank_reason,
        "downloads": v.downloads,
    }


@dataclass(frozen=True)
class Download:
    """A version's archive, ready to send: which version it is, and the cached file."""

    version: str
    version_id: int
    archive: ArchiveFile
    media_type: str


def _exact_version_query(sha_of: Any) -> Any:
    """The one indexed query of a download by exact version, built once (not per request)."""
    return (
        select(Version.version, Version.id, sha_of)
        .join(Pack, Version.pack_id == Pack.id)
        .join(Organisation, Pack.publisher_id == Organisation.id)
        .where(Organisation.slug == bindparam("publisher"), Pack.name == bindparam("name"))
        .where(Version.version == bindparam("version"))
    )


_EXACT_VERSION = {
    "zip": _exact_version_query(Version.zip_sha256),
    "tar.gz": _exact_version_query(Version.tar_sha256),
}


def cached_archive(
    reg: Registry, publisher: str, name: str, version: str, fmt: str
) -> Download | None:
    """The cached archive of an exact approved version, or None (not one, or not cached yet).

    The download's hot path: one indexed query on a plain connection and one stat, no git.
    None sends the caller the long way (archive()), which builds the file or says what is wrong.
    """
    if fmt not in FORMATS or not (
        # Checked first: PostgreSQL refuses some strings (NUL) outright.
        SLUG_RE.match(publisher) and SLUG_RE.match(name) and is_semver(version)
    ):
        return None
    params = {"publisher": publisher, "name": name, "version": version}
    with reg.db.engine.connect() as connection:
        row = connection.execute(_EXACT_VERSION[fmt], params).first()
    if row is None or not row[2]:
        return None
    exact, version_id, sha = row
    found = reg.store.cached_archive(sha, fmt)  # the checksum recorded at approval names it
    return Download(exact, version_id, found, FORMATS[fmt]) if found else None


def archive(reg: Registry, publisher: str, name: str, version: str, fmt: str) -> Download:
    """A version's cached archive file (path, SHA-256, size): reproducible bytes."""
    if fmt not in FORMATS:
        raise BadRequest("format must be zip or tar.gz.", errors={"format": ["zip or tar.gz"]})
    found = cached_archive(reg, publisher, name, version, fmt)
    if found is not None:
        return found
    # `latest`, a version whose archive is not cached, and anything not found: the long way,
    # which also says what is wrong.
    with reg.db.session() as session:
        v = get_version(session, publisher, name, version)
        exact, version_id = v.version, v.id
        sha = v.zip_sha256 if fmt == "zip" else v.tar_sha256
    cached = reg.store.cached_archive(sha, fmt) if sha else None
    built = cached or reg.store.archive_file(publisher, name, exact, fmt)
    return Download(exact, version_id, built, FORMATS[fmt])


def count_download(reg: Registry, version_id: int, client: str) -> bool:
    """Count a download of a version, once per client in each window; True when it counted."""
    window = int(datetime.now(UTC).timestamp()) // DOWNLOAD_WINDOW_SECONDS
    key = hashlib.sha256(f"{version_id}\0{window}\0{client}".encode()).hexdigest()
    # Keys this process has already seen counted: a client downloading again (a retry, a loop)
    # costs no database round trip. Another process's count is found in the database below.
    seen = reg.caches.get("download_clients")
    if seen is None:
        fresh = TTLCache(maxsize=SEEN_CLIENTS, ttl=DOWNLOAD_WINDOW_SECONDS)
        seen = reg.caches.setdefault("download_clients", fresh)
    with _seen_lock:
        if key in seen:
            return False
    with reg.db.session() as session:
        counted = _count_download(session, version_id, not reg.db.is_sqlite, key)
    with _seen_lock:  # only once committed: a count rolled back is not seen
        seen[key] = True
    return counted


def _count_download(session: Session, version_id: int, is_postgres: bool, key: str) -> bool:
    """Count a download of a version, once per key; True when it counted.

    The key hashes the version, the window and who is asking (address and user agent); only
    the hash is kept, and only for the window, so that a browser retrying or a script looping
    counts once, not a hundred.
    """
    insert = pg_insert if is_postgres else sqlite_insert
    now = datetime.now(UTC)
    # A read first: a client downloading again within the window (a retry, a loop) then writes
    # nothing, and readers never wait for SQLite's one writer. Two first downloads at once
    # both reach the insert below, which counts one of them.
    if session.scalar(select(DownloadClient.key).where(DownloadClient.key == key)) is not None:
        return False
    first = session.execute(
        insert(DownloadClient)
        .values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(DownloadClient.key)
    ).first()
    _forget_old_clients(session, now)
    if first is None:  # this client had the version within the window already
        return False
    stmt = insert(DailyDownloads).values(version_id=version_id, day=now.date(), count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["version_id", "day"], set_={"count": DailyDownloads.count + 1}
    )
    session.execute(stmt)
    session.execute(
        update(Version).where(Version.id == version_id).values(downloads=Version.downloads + 1)
    )
    return True


_last_forgotten = 0.0


def _forget_old_clients(session: Session, now: datetime) -> None:
    """Delete client hashes of past windows, at most once a window per process."""
    global _last_forgotten
    if now.timestamp() - _last_forgotten < DOWNLOAD_WINDOW_SECONDS:
        return
    _last_forgotten = now.timestamp()
    cutoff = now - timedelta(seconds=2 * DOWNLOAD_WINDOW_SECONDS)
    session.execute(delete(DownloadClient).where(DownloadClient.at < cutoff))


@dataclass(frozen=True)
class PackFile:
    """One file of a version, and whether its name says it is text."""

    data: bytes
    is_text: bool


def read_file(reg: Registry, publisher: str, name: str, version: str, path: str) -> PackFile:
    """One file of a version."""
    with reg.db.session() as session:
        exact = get_version(session, publisher, name, version).version
    return PackFile(reg.store.read_file(publisher, name, exact, path), is_text_name(path))


def diff(
    reg: Registry, publisher: str, name: str, from_version: str, to_version: str
) -> dict[str, Any]:
    """Files added, removed and changed between two versions, with unified diffs for text."""
    with reg.db.session() as session:
        a = get_version(session, publisher, name, from_version)
        b = get_version(session, publisher, name, to_version)
    result = reg.store.diff(publisher, name, a.version, b.version)
    return {"from": a.version, "to": b.version, **_as_dict(result)}


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    return result.to_dict()


def publishers(reg: Registry) -> list[dict[str, Any]]:
    """Every organisation, with how many packs it publishes."""
    with reg.db.session() as session:
        return _publishers(session)


def _publishers(session: Session) -> list[dict[str, Any]]:
    orgs = session.scalars(select(Organisation).order_by(Organisation.slug)).all()
    counts: dict[int, int] = {}
    for pack in session.scalars(select(Pack)).all():
        if pack.versions:
            counts[pack.publisher_id] = counts.get(pack.publisher_id, 0) + 1
    return [_org(o) | {"packs": counts.get(o.id, 0)} for o in orgs]


def publisher_detail(reg: Registry, slug: str) -> dict[str, Any]:
    """One organisation and its packs."""
    with reg.db.session() as session:
        return _publisher_detail(session, slug)


def _publisher_detail(session: Session, slug: str) -> dict[str, Any]:
    org = None
    if SLUG_RE.match(slug):  # anything else is no slug (and may not even be storable text)
        org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"No publisher called {slug[:64]}.")
    packs = []
    for pack in session.scalars(
        select(Pack).where(Pack.publisher_id == org.id).order_by(Pack.name)
    ).all():
        if not pack.versions:
            continue
        latest = latest_version(pack.versions)
        shown = latest or pack.versions[-1]
        packs.append(
            {
                "name": pack.name,
                "title": shown.manifest.get("title"),
                "summary": shown.manifest.get("summary"),
                "latest": latest.version if latest else None,
            }
        )
    return _org(org) | {"packs": packs}


def _org(o: Organisation) -> dict[str, Any]:
    return {
        "slug": o.slug,
        "name": o.name,
        "type": o.type,
        "gss_code": o.gss_code,
        "dfe_number": o.dfe_number,
        "example": o.example,
    }


def vocabulary() -> dict[str, Any]:
    """Every controlled vocabulary: slug, display name, description, aliases."""
    return vocabulary_as_dict()
