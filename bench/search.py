"""Benchmark search: the Whoosh engine against SQLite FTS5 and git grep on the same corpus.

    .venv/bin/python bench/search.py [--packs 10000] [--queries 200] [--http URL]

Generates a deterministic corpus, rebuilds the index through WhooshEngine, and times the same
queries (each with one filter, answered with counts for every facet) on the engine, on an FTS5
table (plain, and computing the same facet counts), and with `git grep` over the corpus files.
Every engine query is timed once, cold: the (query, filter) pairs are all distinct, so the
engine's results cache never answers; its per-term caches warm up as a real server's would.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _corpus import make_corpus, make_queries  # bench/ is on the path when run as a script

from registry.search import FACETS, WhooshEngine
from registry.search.interface import FACET_SOURCES
from registry.search.query import plan
from registry.search.schema import to_record

Query = tuple[str, dict[str, list[str]]]
# SQL below is assembled from constants and "?" placeholders only; values are always bound.
TEXT_COLUMNS = ("title", "name", "keywords", "summary", "tags", "readme", "files", "text")
# Same field weights as the engine's query-time boosts.
BM25_WEIGHTS = "4.0, 3.0, 2.5, 2.0, 1.5, 1.0, 0.8, 0.3"


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Return (seconds, result) of calling fn."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# SQLite FTS5 reference.


def build_fts(path: Path, docs: list) -> sqlite3.Connection:
    """Build an FTS5 table of the same text, and a facet table, from docs."""
    db = sqlite3.connect(path)
    db.execute(
        f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(TEXT_COLUMNS)},"
        " tokenize='porter unicode61')"
    )
    db.execute("CREATE TABLE facets (doc INTEGER, facet TEXT, value TEXT)")
    with db:
        for rowid, doc in enumerate(docs, 1):
            record = to_record(doc)
            db.execute(
                f"INSERT INTO fts (rowid, {', '.join(TEXT_COLUMNS)})"  # noqa: S608
                f" VALUES (?, {', '.join('?' * len(TEXT_COLUMNS))})",
                (rowid, *(record[c] for c in TEXT_COLUMNS)),
            )
            rows = []
            for facet in FACETS:
                value = doc[FACET_SOURCES[facet]]
                rows += [(rowid, facet, v) for v in (value if isinstance(value, list) else [value])]
            db.executemany("INSERT INTO facets VALUES (?, ?, ?)", rows)
        db.execute("CREATE INDEX facets_by_value ON facets (facet, value, doc)")
        db.execute("CREATE INDEX facets_by_doc ON facets (doc, facet, value)")
    return db


def fts_match(q: str) -> str:
    """Return the FTS5 expression of the engine's plan: all concepts, any alternative each."""
    concepts = []
    for concept in plan(q).concepts:
        alternatives = " OR ".join('"' + " ".join(p) + '"' for p in concept.phrases)
        concepts.append(f"({alternatives})")
    return " AND ".join(concepts) or '""'


def _filter_sql(filters: dict[str, list[str]]) -> tuple[str, list[str]]:
    ((facet, values),) = filters.items()
    marks = ", ".join("?" * len(values))
    sql = f"SELECT doc FROM facets WHERE facet = ? AND value IN ({marks})"  # noqa: S608
    return sql, [facet, *values]


def fts_plain(db: sqlite3.Connection, query: Query) -> int:
    """Answer one query on FTS5: top 20 with a snippet, and the total.

    `+rowid` keeps the filter out of FTS5's query plan: offered `rowid IN (...)`, FTS5 runs
    the full-text query once per filtered row, seconds per query at 10,000 packs.
    """
    q, filters = query
    where, params = _filter_sql(filters)
    match = fts_match(q)
    db.execute(
        f"SELECT rowid, title, summary, snippet(fts, 5, '<mark>', '</mark>', '…', 12)"  # noqa: S608
        f" FROM fts WHERE fts MATCH ? AND +rowid IN ({where})"
        f" ORDER BY bm25(fts, {BM25_WEIGHTS}) LIMIT 20",
        [match, *params],
    ).fetchall()
    (total,) = db.execute(
        f"SELECT count(*) FROM fts WHERE fts MATCH ? AND +rowid IN ({where})",  # noqa: S608
        [match, *params],
    ).fetchone()
    return total


def fts_faceted(db: sqlite3.Connection, query: Query) -> int:
    """Answer one query on FTS5 as plain, plus counts for every facet (multi-select)."""
    total = fts_plain(db, query)
    q, filters = query
    (filtered_facet,) = filters
    where, params = _filter_sql(filters)
    db.execute("CREATE TEMP TABLE m (doc INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", [fts_match(q)])
    for facet in FACETS:
        if facet == filtered_facet:
            sql, args = "SELECT doc FROM m", []
        else:
            sql, args = f"SELECT doc FROM m WHERE doc IN ({where})", params  # noqa: S608
        db.execute(
            f"SELECT value, count(*) FROM facets WHERE facet = ? AND doc IN ({sql})"  # noqa: S608
            " GROUP BY value",
            [facet, *args],
        ).fetchall()
    db.execute("DROP TABLE m")
    return total


# git grep reference.


def build_git(root: Path, docs: list) -> None:
    """Write the corpus as pack folders and commit them to a git repository."""
    for doc in docs:
        folder = root / "packs" / doc["publisher"] / doc["name"]
        (folder / "config").mkdir(parents=True)
        (folder / "README.md").write_text(doc["readme"])
        (folder / "cmspack.yaml").write_text(
            f"title: {doc['title']}\nsummary: {doc['summary']}\nkeywords: {doc['keywords']}\n"
        )
        (folder / "config" / "artefacts.txt").write_text(doc["text"])
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "corpus"], check=True)


def git_grep(root: Path, q: str) -> int:
    """Return the number of files containing every concept of q (any alternative each)."""
    args = ["git", "-C", str(root), "grep", "-l", "-i", "-I", "-E", "--all-match"]
    for concept in plan(q).concepts:
        alternatives = "|".join(r"\b" + r"\W+".join(p) for p in concept.phrases)
        args += ["-e", f"({alternatives})"]
    found = subprocess.run(args, capture_output=True, text=True, check=False)
    return len(found.stdout.splitlines())


# HTTP, once the API serves search.


def http_search_times(base_url: str, queries: list[Query]) -> tuple[list[float], list[int]]:
    """Time GET {base_url}/api/v1/search for each query against a running server.

    Point this at `make run` (http://127.0.0.1:5000) with the same corpus indexed.
    Returns the times and the totals the server answered.
    """
    import httpx

    times, totals = [], []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for q, filters in queries:
            params = [("q", q)] + [(k, v) for k, vs in filters.items() for v in vs]
            seconds, response = timed(lambda p=params: client.get("/api/v1/search", params=p))
            response.raise_for_status()
            times.append(seconds)
            totals.append(response.json()["total"])
    return times, totals


def in_process_http_times(
    instance: Path, queries: list[Query]
) -> tuple[list[float], list[int]] | str:
    """Time the API in-process when registry.create_app serves /api/v1/search, else say why.

    The app opens its own engine on <instance>/index, so its caches start cold too.
    """
    try:
        from registry import create_app  # type: ignore[attr-defined]
    except ImportError:
        return "registry.create_app does not exist yet"
    try:
        os.environ["CMSREG_INSTANCE"] = str(instance)
        app = create_app()
        if not any(r.rule == "/api/v1/search" for r in app.url_map.iter_rules()):
            return "the API does not serve /api/v1/search yet"
        client = app.test_client()
        times, totals = [], []
        for q, filters in queries:
            params = [("q", q)] + [(k, v) for k, vs in filters.items() for v in vs]
            seconds, response = timed(lambda p=params: client.get("/api/v1/search", query_string=p))
            if response.status_code != 200:
                return f"/api/v1/search answered {response.status_code}"
            times.append(seconds)
            totals.append(response.get_json()["total"])
        return times, totals
    except Exception as error:  # a benchmark reports, it does not fail on another's module
        return f"could not run the app in-process: {error!r}"


# The report.


def ms(values: Sequence[float], p: float) -> str:
    """Return the p-th percentile of values (seconds) in milliseconds, formatted."""
    return f"{percentile(values, p) * 1000:.1f}"


def row(name: str, *cells: str) -> str:
    """Return one table row."""
    return f"{name:<34}" + "".join(f"{c:>14}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--grep-queries", type=int, default=20, help="git grep is slow")
    parser.add_argument(
        "--procs", type=int, default=2, help="also time a rebuild in this many processes"
    )
    parser.add_argument("--http", metavar="URL", help="also time a running server's API")
    args = parser.parse_args(argv)

    docs = make_corpus(args.packs)
    queries = make_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-") as tmp:
        root = Path(tmp)
        instance = root / "instance"
        engine = WhooshEngine(instance / "index")
        rebuild_s, _ = timed(lambda: engine.rebuild(docs))
        parallel = WhooshEngine(root / "parallel", procs=args.procs)
        parallel_s = timed(lambda: parallel.rebuild(docs))[0] if args.procs > 1 else None
        parallel.close()
        fts_build_s, db = timed(lambda: build_fts(root / "fts.db", docs))

        whoosh, totals = [], []
        for q, filters in queries:
            seconds, answer = timed(lambda q=q, f=filters: engine.search(q, f))
            whoosh.append(seconds)
            totals.append(answer["total"])
        plain, faceted, fts_totals = [], [], []
        for query in queries:
            seconds, total = timed(lambda query=query: fts_plain(db, query))
            plain.append(seconds)
            fts_totals.append(total)
            faceted.append(timed(lambda query=query: fts_faceted(db, query))[0])
        git_build_s, _ = timed(lambda: build_git(root / "git", docs))
        grep = [
            timed(lambda q=q: git_grep(root / "git", q))[0] for q, _ in queries[: args.grep_queries]
        ]
        http = (
            http_search_times(args.http, queries)
            if args.http
            else in_process_http_times(instance, queries)
        )
        engine.close()
        db.close()

    w95, p95, f95 = (percentile(v, 95) for v in (whoosh, plain, faceted))
    print(
        f"corpus: {args.packs} packs, {len(queries)} queries with one filter each,"
        f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(row("", "whoosh", "fts5 plain", "fts5+facets", "git grep"))
    print(
        row(
            "build (s)",
            f"{rebuild_s:.1f}",
            f"{fts_build_s:.1f}",
            f"{fts_build_s:.1f}",
            f"{git_build_s:.1f}",
        )
    )
    for p in (50, 95):
        print(row(f"search p{p} (ms)", ms(whoosh, p), ms(plain, p), ms(faceted, p), ms(grep, p)))
    print(
        row(
            "mean matches",
            f"{statistics.mean(totals):.0f}",
            f"{statistics.mean(fts_totals):.0f}",
            f"{statistics.mean(fts_totals):.0f}",
            "-",
        )
    )
    if parallel_s is not None:
        print(row(f"rebuild in {args.procs} processes (s)", f"{parallel_s:.1f}"))
    if isinstance(http, str):
        print(f"HTTP: not available yet ({http})")
    else:
        http_times, http_totals = http
        agree = "same totals" if http_totals == totals else "DIFFERENT totals"
        print(
            row("HTTP /api/v1/search p50, p95 (ms)", ms(http_times, 50), ms(http_times, 95), agree)
        )
    checks = [
        ("p95 <= 0.75 x FTS5+facets p95", w95 / f95, 0.75),
        ("p95 <= 1.5 x FTS5 plain p95", w95 / p95, 1.5),
        ("p50 <= 10 ms", percentile(whoosh, 50) * 1000, 10.0),
        ("rebuild <= 10 x FTS5 build", rebuild_s / fts_build_s, 10.0),
    ]
    if parallel_s is not None:
        checks.append((f"  same, {args.procs} processes", parallel_s / fts_build_s, 10.0))
    for name, value, limit in checks:
        print(row(name, f"{value:.2f}", "met" if value <= limit else "NOT MET"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
