"""Benchmark the web pages: the search page and a pack page at 10,000 packs, beside the API.

    .venv/bin/python bench/web.py [--packs 10000] [--queries 120] [--pack-pages 120]

Fills an instance as bench/store.py does (git, database and index as approvals would have left
them), starts `cmsreg-server serve` (gunicorn, two workers) on it, and asks the same searches
of the search page (/search) and of the JSON API (/api/v1/search), one at a time with one
client, alternating page and API so both meet the server in the same state. A first pass warms
both (each worker opens the index and fills its caches); the second is measured. Pack pages
(/packs/P/N) are timed beside the API's pack and latest-version answers, which a pack page
needs both of. Also reports the largest search page's size.

Targets: search page p95 <= 1.5 x the API's p95 for the same searches; search page <= 60 KB.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from urllib.parse import urlencode

import httpx
from _server import machine, serve
from store import COUNCILS, Filler  # bench/ is on the path

from registry.services import accounts
from registry.services.context import Registry

WORDS = [
    "child protection",
    "workflow",
    "section 47",
    "dols",
    "carers assessment",
    "census",
    "looked after review",
    "safeguarding adults",
    "strategy discussion",
    "icpc letters",
    "",
]
FILTERS = [
    {},
    {"supplier": ["system-c"]},
    {"supplier": ["access-group"]},
    {"product": ["mosaic"]},
    {"product": ["lcs", "las"]},
    {"kind": ["form"]},
    {"service_area": ["adult-social-care"]},
    {"supplier": ["olm"], "kind": ["workflow"]},
]
TARGET_RATIO = 1.5
TARGET_BYTES = 60 * 1024


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def query(q: str, filters: dict[str, list[str]], page: int) -> str:
    """The query string of one search."""
    pairs = [("q", q)] if q else []
    pairs += [(k, v) for k, vs in filters.items() for v in vs]
    if page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


def fill(reg: Registry, packs: int) -> float:
    """Add the councils and packs packs; return the seconds it took."""
    started = time.perf_counter()
    filler = Filler(reg, random.Random(11))
    for slug in COUNCILS:
        accounts.create_org(reg, slug, f"{slug.replace('-', ' ').title()} Council", "county")
    from sqlalchemy import select

    from registry.db.models import Organisation

    with reg.db.session() as session:
        filler.org_ids = dict(session.execute(select(Organisation.slug, Organisation.id)).all())
    filler.fill(packs)
    return time.perf_counter() - started


def timed_pairs(client: httpx.Client, pairs: list[tuple[str, str]]) -> tuple[list, list, int]:
    """Time each (page, api) pair one after the other; return both times and the largest page."""
    pages, apis, largest = [], [], 0
    for page_path, api_path in pairs:
        for path, times in ((page_path, pages), (api_path, apis)):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            response.raise_for_status()
            if times is pages:
                largest = max(largest, len(response.content))
    return pages, apis, largest


def row(name: str, *cells: str) -> str:
    """One line of the table."""
    return f"{name:<44}" + "".join(f"{c:>12}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    """Fill, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--pack-pages", type=int, default=120)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    searches = [(q, f, p) for q in WORDS for f in FILTERS for p in (1, 2)]
    rng.shuffle(searches)
    searches = searches[: args.queries]
    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-web-") as tmp:
        reg = Registry.from_settings({"INSTANCE": tmp, "RATE_LIMITS": False})
        reg.init()
        fill_s = fill(reg, args.packs)
        reg.close()
        with (
            serve({"CMSREG_INSTANCE": tmp}, workers=2) as (base, _health),
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            search_pairs = [
                (f"/search?{query(q, f, p)}", f"/api/v1/search?{query(q, f, p)}&per_page=20")
                for q, f, p in searches
            ]
            names = [
                (r["publisher"], r["name"])
                for r in client.get("/api/v1/search?per_page=100").json()["results"]
            ]
            for n in range(2, 2 + args.pack_pages // 100 + 1):
                more = client.get(f"/api/v1/search?per_page=100&page={n}").json()["results"]
                names += [(r["publisher"], r["name"]) for r in more]
            names = names[: args.pack_pages]
            timed_pairs(client, search_pairs)  # warm both: index opened, caches filled
            s_page, s_api, largest = timed_pairs(client, search_pairs)
            browse = client.get("/search")
            pack_pairs = [(f"/packs/{p}/{n}", f"/api/v1/packs/{p}/{n}") for p, n in names]
            latest = [f"/api/v1/packs/{p}/{n}/versions/latest" for p, n in names]
            timed_pairs(client, pack_pairs)
            p_page, p_api, _ = timed_pairs(client, pack_pairs)
            p_latest, _, _ = timed_pairs(client, [(path, path) for path in latest])
    ms = lambda v, p: f"{percentile(v, p) * 1000:.1f}"  # noqa: E731
    print(
        f"{args.packs:,} packs (filled in {fill_s:.0f} s); cmsreg-server serve --workers 2;"
        f" {len(searches)} searches and {len(names)} pack pages, one at a time, second pass;"
        f" {machine()}"
    )
    print(row("", "p50 (ms)", "p95 (ms)", "max (ms)"))
    for name, values in (
        ("search page  GET /search", s_page),
        ("  the API    GET /api/v1/search (reference)", s_api),
        ("pack page    GET /packs/P/N", p_page),
        ("  the API    GET /api/v1/packs/P/N", p_api),
        ("  the API    GET …/versions/latest", p_latest),
    ):
        print(row(name, ms(values, 50), ms(values, 95), f"{max(values) * 1000:.1f}"))
    pack_sum = [a + b for a, b in zip(p_api, p_latest, strict=True)]
    print(row("  API pack + latest version, summed", ms(pack_sum, 50), ms(pack_sum, 95), "-"))
    print()
    ratio = percentile(s_page, 95) / percentile(s_api, 95)
    checks = [
        (f"search page p95 <= {TARGET_RATIO} x API p95", f"{ratio:.2f} x", ratio <= TARGET_RATIO),
        (
            "largest search page <= 60 KB",
            f"{max(largest, len(browse.content)) / 1024:.1f} KB",
            max(largest, len(browse.content)) <= TARGET_BYTES,
        ),
    ]
    print(row("targets", "value", "verdict"))
    for name, value, ok in checks:
        print(row(name, value, "PASS" if ok else "MISS"))
    print(
        row(
            "pack page p95 / (API pack + latest) p95",
            f"{percentile(p_page, 95) / percentile(pack_sum, 95):.2f} x",
            "info",
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
