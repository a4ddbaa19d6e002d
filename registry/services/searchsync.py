"""Keep the search index in step with the database: queue in the transaction, index after commit.

A change that affects search adds a `search_queue` row in the same transaction as the change, so
the queue can never hold a rolled-back change and never misses a committed one. After the commit,
`drain` takes the one-writer lock and indexes every queued pack from the database and git; a
crash between commit and drain leaves the row queued for the next drain (or `reindex`).

A decision does not wait for the index: it wakes this process's indexer thread (`kick`) and
answers. Every read of the index first indexes whatever is still queued (`catch_up`), so a search
made after any answered change finds it, whichever process answered the change.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from registry.db.models import Organisation, Pack, SearchQueue, Version
from registry.errors import Unavailable
from registry.packs.filetypes import is_text_name
from registry.packs.versions import SemVer

log = logging.getLogger(__name__)
MAX_TEXT = 200_000  # artefact text indexed per pack; more adds little to ranking and slows indexing


def enqueue(session: Session, publisher: str, name: str) -> None:
    """Queue a pack for re-indexing, inside the caller's transaction."""
    session.add(SearchQueue(publisher=publisher, name=name))


@contextmanager
def writer_lock(reg, timeout: float | None = None) -> Iterator[None]:
    """One index writer across processes (gunicorn workers, commands), waiting a bounded time.

    Raises Unavailable (503 with Retry-After) after timeout seconds (CMSREG_SEARCH_LOCK_TIMEOUT
    by default): a `reindex` holds the lock throughout, and no one may wait for it without end.
    """
    if timeout is None:
        timeout = float(reg.settings["SEARCH_LOCK_TIMEOUT"])
    # A short poll: a reader waiting for a drain of a few milliseconds goes on as soon as it ends.
    lock = FileLock(
        Path(reg.settings["INSTANCE"]) / "index.lock", timeout=timeout, poll_interval=0.005
    )
    try:
        lock.acquire()
    except Timeout:
        raise Unavailable(
            f"The search index is busy: another writer (an index update or `cmsreg-server "
            f"reindex`) held its lock for more than {timeout:g} s. Any change you made is "
            "saved and queued, and will be searchable after the next index update.",
            retry_after=max(1, math.ceil(timeout)),
        ) from None
    try:
        yield
    finally:
        lock.release()


class NotIndexed(RuntimeError):
    """Packs whose document could not be built (their git content is damaged, say): they stay
    queued, the others were indexed, and `check` names the difference."""


def drain(reg, timeout: float | None = None) -> int:
    """Index every queued pack; return how many were processed.

    A pack whose document cannot be built is logged and left queued, and the others are
    indexed all the same; NotIndexed is raised at the end, naming it.
    """
    done, broken, left = 0, set(), []
    with writer_lock(reg, timeout):
        while True:
            with reg.db.session() as session:
                rows = session.scalars(
                    select(SearchQueue)
                    .where(SearchQueue.id.not_in(left))
                    .order_by(SearchQueue.id)
                    .limit(200)
                ).all()
                if not rows:
                    break
                packs = {(r.publisher, r.name) for r in rows} - broken
                docs = []
                for publisher, name in sorted(packs):
                    try:
                        doc = build_document(reg, session, publisher, name)
                    except Exception:  # one damaged pack must not hold up every other one
                        log.exception("cannot index %s/%s; it stays queued", publisher, name)
                        broken.add((publisher, name))
                        continue
                    if doc is None:
                        reg.search.remove(publisher, name)
                    else:
                        docs.append(doc)
                # One batch: every index write starts a new generation and resets caches.
                if docs:
                    reg.search.index(docs)
                left += [r.id for r in rows if (r.publisher, r.name) in broken]
                indexed = [r.id for r in rows if (r.publisher, r.name) not in broken]
                session.execute(delete(SearchQueue).where(SearchQueue.id.in_(indexed)))
                done += len(packs - broken)
    if broken:
        raise NotIndexed(", ".join(f"{p}/{n}" for p, n in sorted(broken)))
    return done


def drain_after_decision(reg) -> None:
    """Index what a committed decision queued; a busy index leaves it queued, never undoes it.

    The decision is already saved: answering 503 would tell the moderator or publisher it failed,
    and their retry would meet a 409. The queue row stays for the next index update.
    """
    try:
        drain(reg)
    except Unavailable as exc:
        log.warning("search index busy; the change stays queued for the next update: %s", exc)


def queued(reg) -> bool:
    """Whether any change waits to be indexed (one indexed read of the queue)."""
    with reg.db.engine.connect() as connection:
        return connection.execute(_ANY_QUEUED).first() is not None


_ANY_QUEUED = select(SearchQueue.id).limit(1)
CATCH_UP_WAIT = 2.0  # seconds a read waits for another writer before answering from the index
# After a read's wait ran out, this process's reads wait only CATCH_UP_BRIEF seconds for the lock
# for this many seconds: a `reindex` holds it for a while, and every search must not pay the
# whole wait; the brief one still covers a drain in progress (milliseconds).
CATCH_UP_BACKOFF = 10.0
CATCH_UP_BRIEF = 0.25
_BUSY_UNTIL = "search-busy-until"  # in reg.caches: monotonic time the back-off ends


def catch_up(reg) -> None:
    """Before a read of the index: index what is queued, so that no answered change is missing.

    A drain in progress (this process's indexer, another worker's) is waited for; when the lock
    stays busy longer (a `reindex` holds it throughout), the read answers from the index as it
    stands rather than fail, the queue keeps the change for the next drain, and for
    CATCH_UP_BACKOFF seconds the process's reads wait only CATCH_UP_BRIEF seconds for it. A
    drain that fails is logged, and the read answers from the index all the same.
    """
    if not queued(reg):
        return
    backing_off = time.monotonic() < reg.caches.get(_BUSY_UNTIL, 0.0)
    wait = min(
        CATCH_UP_BRIEF if backing_off else CATCH_UP_WAIT, float(reg.settings["SEARCH_LOCK_TIMEOUT"])
    )
    try:
        drain(reg, timeout=wait)
    except Unavailable as exc:
        if not backing_off:
            reg.caches[_BUSY_UNTIL] = time.monotonic() + CATCH_UP_BACKOFF
            log.warning("search answered from the index as it stands: %s", exc)
    except Exception:
        # A queued change that cannot be indexed (its git content damaged, say) must not take
        # every search down with it: the read goes on, and `check` names what stays queued.
        reg.caches[_BUSY_UNTIL] = time.monotonic() + CATCH_UP_BACKOFF
        log.exception("indexing what is queued failed; search answered from the index as it stands")


def kick(reg) -> None:
    """After a committed change that queued a pack: have this process's indexer index it."""
    with _starting:  # two first changes at once in two threads start one indexer, not two
        if reg.indexer is None:
            reg.indexer = Indexer(reg)
        reg.indexer.kick()


_starting = threading.Lock()


class Indexer:
    """One thread per process that drains the search queue whenever a change wakes it.

    The change is already committed and queued when it wakes the thread: a crash or a kill at
    any point leaves the row queued for the next drain, `catch_up` or `reindex`.
    """

    def __init__(self, reg) -> None:
        self._reg = reg
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Wake the thread; kicks while it drains make one more pass, not one each."""
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()  # before draining: a change committed during the pass is seen
            closing = self._closing  # read before the pass: a close during it gets one more
            try:
                drain_after_decision(self._reg)
            except Exception:  # the queue keeps the change; the thread must live on
                log.exception("indexing the queued changes failed; they stay queued")
            if closing:
                return

    def close(self, timeout: float = 60.0) -> None:
        """Index what is queued, then end the thread (a command's changes are searchable when
        it exits)."""
        self._closing = True
        self._wake.set()
        self._thread.join(timeout)


def latest_version(versions: list[Version]) -> Version | None:
    """The newest approved, non-yanked version by SemVer precedence."""
    live = [v for v in versions if not v.yanked]
    return max(live, key=lambda v: SemVer.parse(v.version), default=None)


def build_document(reg, session: Session, publisher: str, name: str) -> dict | None:
    """The search document of a pack's latest version, or None when nothing is searchable."""
    pack = session.scalar(
        select(Pack).join(Organisation).where(Organisation.slug == publisher, Pack.name == name)
    )
    if pack is None:
        return None
    version = latest_version(pack.versions)
    if version is None:
        return None
    m = version.manifest
    files = reg.store.files(publisher, name, version.version)
    readme = files.get("README.md", b"").decode("utf-8", "replace")
    texts, total = [], 0
    for path in sorted(files):
        if path == "README.md" or not is_text_name(path) or total >= MAX_TEXT:
            continue
        chunk = files[path][: MAX_TEXT - total].decode("utf-8", "replace")
        texts.append(chunk)
        total += len(chunk)
    return {
        "publisher": publisher,
        "name": name,
        "version": version.version,
        "title": m.get("title", ""),
        "summary": m.get("summary", ""),
        "keywords": list(m.get("keywords") or []),
        "readme": readme,
        "file_names": sorted(files),
        "text": "\n".join(texts),
        "supplier": m.get("supplier", ""),
        "products": [p["id"] for p in m.get("products") or []],
        "service_areas": list(m.get("service_areas") or []),
        "practice_models": list(m.get("practice_models") or []),
        "organisation_structures": list(m.get("organisation_structures") or []),
        "kinds": list(m.get("kinds") or []),
        "statutory_returns": [r["id"] for r in m.get("statutory_returns") or []],
        "return_years": sorted(
            {y for r in m.get("statutory_returns") or [] for y in r.get("years") or []}
        ),
        "licence": m.get("licence", ""),
        "updated_at": version.approved_at,
        "downloads": sum(v.downloads for v in pack.versions),
    }


def all_documents(reg, session: Session):
    """Every searchable pack's document (for `reindex`)."""
    for pack in session.scalars(select(Pack)).all():
        doc = build_document(reg, session, pack.publisher.slug, pack.name)
        if doc is not None:
            yield doc
