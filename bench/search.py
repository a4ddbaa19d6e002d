"""Benchmark search: the Whoosh engine against SQLite FTS5 and git grep on the same corpus.

    .venv/bin/python bench/search.py [--packs 10000] [--queries 200] [--no-http] [--http URL]
                                     [--seconds 10] [--connections 4] [--wrk-threads 1] [--no-wrk]

Generates a deterministic corpus, rebuilds the index through WhooshEngine, and times the same
queries (each with one filter, answered with counts for every facet) on the engine, on an FTS5
table (plain, and computing the same facet counts), and with `git grep` over the corpus files.
Every engine query is timed once, cold: the (query, filter) pairs are all distinct, so the
engine's results cache never answers; its per-term caches warm up as a real server's would.

Then the same search through the API: with Flask's test client in this process, and through a
real `cmsreg-server serve` (gunicorn, two workers) on 127.0.0.1 started on an instance made by
`cmsreg-server init` whose index holds the corpus. The 200 queries are sent one at a time, with
one client, twice: the first pass meets cold caches (each worker opens the index on its first
search and has its own caches); in the second, the term caches are warm and a worker's results
cache answers the queries it saw before. Every answer (total, every facet count, packs in order)
is compared with the engine's. Throughput is measured with wrk (httpx threads when wrk is not
installed or with --no-wrk; they compete with the server for the same CPUs) cycling through the
200 query URLs, which the results caches soon answer, and through queries never asked before;
GET /healthz, which searches nothing, gives the ceiling of the server itself on this machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

# bench/ is on the path when run as a script
from _corpus import FILTER_CHOICES, QUERIES, make_corpus, make_queries
from _server import Load, command, ensure_wrk, load_paths, machine, serve, server_env

from registry.search import FACETS, SORTS, WhooshEngine
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
                # A facet the corpus leaves out (statutory returns) has no values, as in the index.
                value = doc.get(FACET_SOURCES[facet]) or []
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


# Through the API.

TARGET_RATE = 200.0  # searches per second from the server


def search_path(query: Query, sort: str = "relevance", page: int = 1) -> str:
    """Return the /api/v1/search path and query string asking query."""
    q, filters = query
    params = [("q", q)] + [(k, v) for k, vs in filters.items() for v in vs]
    if sort != "relevance":
        params.append(("sort", sort))
    if page != 1:
        params.append(("page", str(page)))
    return "/api/v1/search?" + urlencode(params)


def summary(answer: dict) -> tuple:
    """Return what two answers to the same search must share: total, facets, packs in order."""
    return (
        answer["total"],
        answer["facets"],
        [(r["publisher"], r["name"]) for r in answer["results"]],
        answer.get("did_you_mean"),
    )


def http_times(
    base_url: str, paths: list[str], beside: Callable[[int], object] | None = None
) -> tuple[list[float], list[dict]]:
    """Time GET {base_url}{path} for each path, one at a time with one httpx client.

    Returns the times and the JSON answers. `beside(i)`, if given, runs just before request i:
    a reference timed under the same load as the request, on a machine whose load changes.
    """
    import httpx

    times, answers = [], []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for i, path in enumerate(paths):
            if beside is not None:
                beside(i)
            seconds, response = timed(lambda path=path: client.get(path))
            response.raise_for_status()
            times.append(seconds)
            answers.append(response.json())
    return times, answers


def http_search_times(
    base_url: str, queries: list[Query], beside: Callable[[int], object] | None = None
) -> tuple[list[float], list[dict]]:
    """Time GET {base_url}/api/v1/search for each query, one at a time with one client.

    Returns the times and the answers the server gave.
    """
    return http_times(base_url, [search_path(q) for q in queries], beside)


def in_process_http_times(
    instance: Path, queries: list[Query]
) -> tuple[list[float], list[dict]] | str:
    """Time the API in-process with Flask's test client, or say why it cannot be.

    The app opens its own engine on <instance>/index, so its caches start cold too.
    """
    try:
        from registry import create_app
    except ImportError:
        return "registry.create_app does not exist"
    app = None
    try:
        os.environ["CMSREG_INSTANCE"] = str(instance)
        app = create_app()
        if not any(r.rule == "/api/v1/search" for r in app.url_map.iter_rules()):
            return "the API does not serve /api/v1/search"
        client = app.test_client()
        times, answers = [], []
        for query in queries:
            path = search_path(query)
            seconds, response = timed(lambda path=path: client.get(path))
            if response.status_code != 200:
                return f"/api/v1/search answered {response.status_code}"
            times.append(seconds)
            answers.append(response.get_json())
        return times, answers
    except Exception as error:  # a benchmark reports, it does not fail on another's module
        return f"could not run the app in-process: {error!r}"
    finally:
        if app is not None:
            app.extensions["cmsreg"].close()


def unasked(queries: list[Query]) -> list[str]:
    """Return the paths of every (query, filter, sort, page 1 or 2) not in queries, shuffled.

    Used for throughput without the results cache: none of them has been asked before, and
    there are enough (about 9,000) that a 10-second run at several hundred per second asks
    each at most once. Each is the same work as a measured query: match, count every facet,
    rank (or sort) and highlight a page of 20.
    """
    measured = {(q, tuple((k, tuple(v)) for k, v in f.items())) for q, f in queries}
    pool = [
        search_path((q, {facet: list(values)}), sort, page)
        for q in QUERIES
        for facet, values in FILTER_CHOICES
        for sort in SORTS
        for page in (1, 2)
        if not (sort == "relevance" and page == 1 and (q, ((facet, tuple(values)),)) in measured)
    ]
    random.Random(11).shuffle(pool)
    return pool


@dataclass
class Served:
    """What was measured through a running server."""

    url: str
    health: dict
    passes: list[tuple[list[float], list[dict]]]  # the 200 queries, one at a time, twice
    floor: list[float]  # GET /healthz as many times, one at a time, with the same client
    cycled: Load | None  # the 200 query URLs in a loop (None: --no-throughput)
    fresh: Load | None  # queries never asked before
    fresh_pool: int
    healthz: Load | None
    wrk_threads: int
    fts_beside: list[float]  # FTS5 plain, each query just before the 1st pass asked it


def measure_server(
    base: str,
    health: dict,
    queries: list[Query],
    args: argparse.Namespace,
    reference: Callable[[Query], object] | None = None,
) -> Served:
    """Latency of the queries one at a time (twice), then throughput, through the server at base."""
    # FTS5 plain answers each query just before the 1st pass asks the server: the HTTP target's
    # reference, measured under the same load.
    beside: list[float] = []
    if reference is not None:

        def fts(i: int) -> None:
            beside.append(timed(lambda: reference(queries[i]))[0])

    first = http_search_times(base, queries, fts if reference is not None else None)
    passes = [first, http_search_times(base, queries)]
    floor, _ = http_times(base, ["/healthz"] * len(queries))
    threads, wrk = args.wrk_threads, not args.no_wrk
    if args.no_throughput:
        return Served(base, health, passes, floor, None, None, 0, None, threads, beside)
    cycled = load_paths(
        base, [search_path(q) for q in queries], args.seconds, args.connections, threads, wrk
    )
    pool = unasked(queries)
    fresh = load_paths(base, pool, args.seconds, args.connections, threads, wrk)
    healthz = load_paths(base, ["/healthz"], args.seconds, args.connections, threads, wrk)
    return Served(base, health, passes, floor, cycled, fresh, len(pool), healthz, threads, beside)


def served_instance(
    instance: Path,
    docs: list,
    queries: list[Query],
    args: argparse.Namespace,
    reference: Callable[[Query], object] | None = None,
) -> Served:
    """Start `cmsreg-server serve` on instance (its index must hold docs), measure, stop it."""
    settings = {"CMSREG_INSTANCE": str(instance)}
    with serve(settings, workers=2, log=instance / "serve.log") as (base, health):
        if health.get("index") != f"ok ({len(docs)} packs)":
            raise SystemExit(f"the server does not see the bench index: /healthz said {health}")
        return measure_server(base, health, queries, args, reference)


def external(
    url: str,
    queries: list[Query],
    args: argparse.Namespace,
    reference: Callable[[Query], object] | None = None,
) -> Served:
    """Measure a server already running at url (it should hold the same corpus)."""
    import httpx

    health = httpx.get(url.rstrip("/") + "/healthz", timeout=30).json()
    return measure_server(url.rstrip("/"), health, queries, args, reference)


# The report.


def ms(values: Sequence[float], p: float) -> str:
    """Return the p-th percentile of values (seconds) in milliseconds, formatted."""
    return f"{percentile(values, p) * 1000:.1f}"


def row(name: str, *cells: str) -> str:
    """Return one table row."""
    return f"{name:<46}" + "".join(f"{c:>14}" for c in cells)


def agreement(answers: list[dict], expected: list[dict]) -> str:
    """Return how many answers have the engine's total, facet counts and packs in order."""
    same = sum(summary(a) == summary(e) for a, e in zip(answers, expected, strict=True))
    return (
        f"{same}/{len(expected)} same" if same == len(expected) else f"{same}/{len(expected)} SAME"
    )


def latency_row(name: str, times: list[float], answers: list[dict], expected: list[dict]) -> str:
    """Return a row: p50, p95 and max in milliseconds, and the answers' agreement."""
    return row(
        name, ms(times, 50), ms(times, 95), f"{max(times) * 1000:.1f}", agreement(answers, expected)
    )


def rate_row(name: str, result: Load) -> str:
    """Return a row: searches per second, latency under load and requests made."""
    under = (
        (f"{result.p50_ms:.1f}", f"{result.p99_ms:.1f}")
        if result.p50_ms is not None and result.p99_ms is not None
        else ("-", "-")
    )
    return row(name, f"{result.rate:.0f}", *under, f"{result.requests:,}")


def verdict(name: str, value: str, reference: str, ok: bool) -> str:
    """Return a target line: the figure, the reference it is held to (same run), the verdict."""
    return f"{name:<46}{value:>14}{reference:>28}{'PASS' if ok else 'FAIL':>8}"


def ratio_verdict(name: str, value: float, base: float, factor: float) -> str:
    """Return a target line for value <= factor x base (seconds, shown in milliseconds)."""
    return verdict(
        name,
        f"{value * 1000:.1f} ms",
        f"{factor:g} x {base * 1000:.1f} = {factor * base * 1000:.1f} ms",
        value <= factor * base,
    )


def init_instance(instance: Path) -> None:
    """Make an instance as an operator would: `cmsreg-server init`."""
    subprocess.run(
        [command("cmsreg-server"), "init"],
        env=server_env({"CMSREG_INSTANCE": str(instance)}),
        check=True,
        capture_output=True,
        timeout=300,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--grep-queries", type=int, default=20, help="git grep is slow")
    parser.add_argument(
        "--procs", type=int, default=2, help="also time a rebuild in this many processes"
    )
    parser.add_argument(
        "--no-http", action="store_true", help="skip `cmsreg-server serve` (latency, throughput)"
    )
    parser.add_argument(
        "--http",
        metavar="URL",
        help="measure this running server (same corpus) instead of one started here",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput measurement")
    parser.add_argument("--connections", type=int, default=4, help="open connections under load")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (of the same CPUs)")
    parser.add_argument(
        "--no-wrk", action="store_true", help="load with httpx threads even with wrk"
    )
    parser.add_argument(
        "--no-throughput", action="store_true", help="latency only: skip the wrk/httpx load runs"
    )
    args = parser.parse_args(argv)
    if not args.no_wrk:
        ensure_wrk()
    # The app's logging setup (test client) would otherwise report each of our requests.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    docs = make_corpus(args.packs)
    queries = make_queries(args.queries)
    # A git or server process may still be writing as the folder goes: never fail on that.
    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        instance = root / "instance"
        init_instance(instance)
        engine = WhooshEngine(instance / "index")
        rebuild_s, _ = timed(lambda: engine.rebuild(docs))
        parallel = WhooshEngine(root / "parallel", procs=args.procs)
        parallel_s = timed(lambda: parallel.rebuild(docs))[0] if args.procs > 1 else None
        parallel.close()
        fts_build_s, db = timed(lambda: build_fts(root / "fts.db", docs))

        whoosh, answers = [], []
        for q, filters in queries:
            seconds, answer = timed(lambda q=q, f=filters: engine.search(q, f))
            whoosh.append(seconds)
            answers.append(answer)
        totals = [a["total"] for a in answers]
        plain, faceted, fts_totals = [], [], []
        for query in queries:
            seconds, total = timed(lambda query=query: fts_plain(db, query))
            plain.append(seconds)
            fts_totals.append(total)
            faceted.append(timed(lambda query=query: fts_faceted(db, query))[0])
        engine.close()
        git_build_s, grep = None, []
        if args.grep_queries > 0:
            git_build_s, _ = timed(lambda: build_git(root / "git", docs))
        grep = [
            timed(lambda q=q: git_grep(root / "git", q))[0] for q, _ in queries[: args.grep_queries]
        ]
        test_client = in_process_http_times(instance, queries)
        served = None
        if args.http:
            served = external(args.http, queries, args, lambda query: fts_plain(db, query))
        elif not args.no_http:
            served = served_instance(
                instance, docs, queries, args, lambda query: fts_plain(db, query)
            )
        db.close()

    w95, p95, f95 = (percentile(v, 95) for v in (whoosh, plain, faceted))
    print(f"corpus: {args.packs} packs, {len(queries)} queries with one filter each, {machine()}")
    print(row("", "whoosh", "fts5 plain", "fts5+facets", "git grep"))
    print(
        row(
            "build (s)",
            f"{rebuild_s:.1f}",
            f"{fts_build_s:.1f}",
            f"{fts_build_s:.1f}",
            f"{git_build_s:.1f}" if git_build_s is not None else "-",
        )
    )
    for p in (50, 95):
        print(
            row(
                f"search p{p} (ms)",
                ms(whoosh, p),
                ms(plain, p),
                ms(faceted, p),
                ms(grep, p) if grep else "-",
            )
        )
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

    print()
    print(row("/api/v1/search, one query at a time (ms)", "p50", "p95", "max", "answers"))
    if isinstance(test_client, str):
        print(f"Flask test client: not available ({test_client})")
    else:
        print(latency_row("Flask test client, in-process", *test_client, answers))
    if served is None:
        print("cmsreg-server serve: skipped (--no-http)")
    else:
        (first, first_answers), (second, second_answers) = served.passes
        print(latency_row("serve, 1st pass (cold caches)", first, first_answers, answers))
        print(latency_row("serve, 2nd pass (warm caches)", second, second_answers, answers))
        if served.fts_beside:
            fb = served.fts_beside
            name = "FTS5 plain, beside the 1st pass"
            print(row(name, ms(fb, 50), ms(fb, 95), f"{max(fb) * 1000:.1f}", "-"))
        floor = served.floor
        print(
            row(
                "serve, GET /healthz (client + server floor)",
                ms(floor, 50),
                ms(floor, 95),
                f"{max(floor) * 1000:.1f}",
                "-",
            )
        )
    if served is not None and served.cycled and served.fresh and served.healthz:
        print()
        print(row("throughput", "searches/s", "p50 (ms)", "p99 (ms)", "requests"))
        print(rate_row(f"serve, the {len(queries)} query URLs cycled", served.cycled))
        fresh_note = "" if served.fresh.requests <= served.fresh_pool else " (wrapped)"
        print(rate_row(f"serve, queries never asked before{fresh_note}", served.fresh))
        print(rate_row("serve, GET /healthz (framework ceiling)", served.healthz))
        tool = served.cycled.tool
        how = (
            f"wrk, {served.wrk_threads} thread(s)"
            if tool == "wrk"
            else "httpx threads, not wrk (the client competes with the server for the CPUs)"
        )
        print(
            f"  {served.url} ({'started here: cmsreg-server serve --workers 2' if not args.http else 'given'},"
            f" /healthz index: {served.health.get('index')}); load by {how},"
            f" {args.connections} connections, {args.seconds:g} s each"
        )

    print()
    p50 = percentile(whoosh, 50)
    checks = [
        ratio_verdict("p95 <= 0.75 x FTS5+facets p95", w95, f95, 0.75),
        ratio_verdict("p95 <= 1.5 x FTS5 plain p95", w95, p95, 1.5),
        verdict("p50 <= 10 ms", f"{p50 * 1000:.1f} ms", "10 ms", p50 <= 0.010),
        verdict(
            "rebuild <= 10 x FTS5 build",
            f"{rebuild_s:.1f} s",
            f"10 x {fts_build_s:.1f} = {10 * fts_build_s:.1f} s",
            rebuild_s <= 10 * fts_build_s,
        ),
    ]
    if parallel_s is not None:
        checks.append(
            verdict(
                f"  same, {args.procs} processes",
                f"{parallel_s:.1f} s",
                f"10 x {fts_build_s:.1f} = {10 * fts_build_s:.1f} s",
                parallel_s <= 10 * fts_build_s,
            )
        )
    if served is not None:
        h50, h95 = (percentile(served.passes[0][0], p) for p in (50, 95))
        checks += [
            ratio_verdict("HTTP p95 <= 0.75 x FTS5+facets p95 (1st pass)", h95, f95, 0.75),
            ratio_verdict("HTTP p95 <= 1.5 x FTS5 plain p95 (1st pass)", h95, p95, 1.5),
        ]
        if served.fts_beside:
            b95 = percentile(served.fts_beside, 95)
            checks.append(
                ratio_verdict("HTTP p95 <= 1.5 x FTS5 plain p95 beside it", h95, b95, 1.5)
            )
        checks += [
            verdict("HTTP p50 <= 10 ms (1st pass)", f"{h50 * 1000:.1f} ms", "10 ms", h50 <= 0.010),
        ]
        for name, result in (
            ("never asked before", served.fresh),
            (f"{len(queries)} URLs cycled", served.cycled),
        ):
            if result is not None:
                checks.append(
                    verdict(
                        f">= {TARGET_RATE:.0f} searches/s, {name}",
                        f"{result.rate:.0f}/s",
                        f"{TARGET_RATE:.0f}/s",
                        result.rate >= TARGET_RATE,
                    )
                )
    print(verdict("targets (in-process unless HTTP)", "value", "reference (same run)", True)[:-4])
    for line in checks:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
