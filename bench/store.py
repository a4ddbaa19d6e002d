"""Benchmark publishing and approval with 1,000 and 10,000 packs already in the store.

    .venv/bin/python bench/store.py [--packs 1000,10000] [--cycles 20] [--quick]
                                    [--database-url URL] [--seconds 5] [--no-download]

An instance in a temporary folder (SQLite unless --database-url is given) is filled quickly but
as the services would have left it: one `git fast-import` stream writes, for every pack, an
approval commit on main and the annotated tag with the store's own messages, and the matching
organisations, packs, submissions, versions (with real archive checksums) and audit rows are
bulk-inserted; the search index is rebuilt with every pack. Then `--cycles` publish (validate +
submit) and approve cycles run through the real services, half of them new packs and half new
versions of stored ones; the reference is the same cycles on an empty store. An approval answers
once it is committed and tagged; its search index update runs in the indexer thread after the
answer, so each cycle also times approve until a search finds the pack, and waits for that.

Last, the download throughput of one cached archive through `cmsreg-server serve` (gunicorn,
two workers), beside `python -m http.server` serving the same file, with `wrk` when it is
installed and threads of httpx clients otherwise.

Targets: publish, approve and approve until searchable p95 <= 300 ms at every size, and p50 at
10,000 packs no more than 1.5 x p50 at 1,000; approve p95 <= 60 ms at the largest size; downloads >= 0.8 x the static
server. `wrk` is installed with apt-get when it is missing and this runs as root; otherwise the
bench says how to install it and falls back to Python threads.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
import yaml
from _server import (
    ensure_wrk,
    free_port,
    load,
    machine,
    serve,
    stop,
    wait_for,
)  # bench/ is on the path

from registry.db.models import AuditEvent, Organisation, Pack, Submission, Version
from registry.packs.build import build_tar_gz, build_zip
from registry.services import accounts, moderation, publish, searchsync
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.store.messages import approval_commit_message, approval_tag_message
from registry.store.repo import DEFAULT_IDENTITY

TARGET_MS = 300.0
TARGET_GROWTH = 1.5
TARGET_APPROVE_P95_MS = 60.0  # at the largest size
TARGET_DOWNLOAD_RATIO = 0.8  # of python -m http.server serving the same file
WARM_UP = 2  # cycles run before timing: the first opens git and database connections
APPROVER = "lcs-user-group-moderator"
PUBLISHER_USER = "council-systems-team"

# English councils with social care responsibilities, as publishers (slugs).
COUNCILS = """barnet bexley brent bromley camden croydon ealing enfield greenwich hackney haringey
harrow havering hillingdon hounslow islington lambeth lewisham merton newham redbridge southwark
sutton wandsworth westminster barnsley bolton bradford bury calderdale doncaster dudley gateshead
kirklees knowsley leeds liverpool manchester newcastle oldham rochdale rotherham salford sandwell
sefton sheffield solihull stockport sunderland tameside trafford wakefield walsall wigan wirral
wolverhampton bedford blackpool bristol cornwall darlington derby durham halton hartlepool leicester
luton middlesbrough milton-keynes north-somerset nottingham peterborough plymouth portsmouth reading
rutland slough southampton southend stockton swindon telford thurrock torbay warrington wiltshire
york buckinghamshire cambridgeshire derbyshire devon east-sussex essex gloucestershire hampshire
hertfordshire kent lancashire leicestershire lincolnshire norfolk north-yorkshire nottinghamshire
oxfordshire somerset staffordshire suffolk surrey warwickshire west-sussex worcestershire""".split()  # noqa: SIM905 (a word list reads better as text)

# (name stem, title, supplier, product, kinds, service area)
TOPICS = [
    (
        "cp-workflow",
        "Child protection workflow",
        "system-c",
        "lcs",
        ["workflow"],
        "childrens-social-care",
    ),
    (
        "icpc-letters",
        "ICPC invitation letters",
        "system-c",
        "lcs",
        ["document-template"],
        "childrens-social-care",
    ),
    (
        "s47-forms",
        "Section 47 enquiry forms",
        "access-group",
        "mosaic",
        ["form"],
        "childrens-social-care",
    ),
    (
        "cin-census-extract",
        "CIN census extract",
        "access-group",
        "mosaic",
        ["report"],
        "childrens-social-care",
    ),
    (
        "lac-review",
        "Looked after review workflow",
        "olm",
        "eclipse",
        ["workflow", "form"],
        "childrens-social-care",
    ),
    ("dols-workflow", "DoLS workflow", "system-c", "las", ["workflow"], "adult-social-care"),
    (
        "carers-assessment",
        "Carers assessment form",
        "access-group",
        "mosaic",
        ["form"],
        "adult-social-care",
    ),
    (
        "s42-enquiry",
        "Safeguarding adults enquiry",
        "system-c",
        "las",
        ["workflow", "form"],
        "adult-social-care",
    ),
]
SENTENCES = [
    "Import the steps in the workflow designer and map the teams to your structure.",
    "The form records the outcome of the strategy discussion and the agencies present.",
    "Managers authorise the next action before the step closes.",
    "Run the extract after the census period closes and check the totals against the return.",
    "Each section carries help text written with practitioners in the pilot teams.",
    "Timescales follow Working Together and the local safeguarding partnership's procedures.",
]


# -- packs --------------------------------------------------------------------------------------


def manifest(publisher: str, name: str, version: str, topic: tuple) -> dict:
    """A valid manifest for a generated pack."""
    _, title, supplier, product, kinds, area = topic
    return {
        "name": name,
        "publisher": publisher,
        "version": version,
        "title": f"{title} ({publisher.replace('-', ' ').title()})",
        "summary": f"{title} as configured and used by {publisher.replace('-', ' ').title()}.",
        "licence": "OGL-UK-3.0",
        "supplier": supplier,
        "products": [{"id": product, "versions": ">=2023.1"}],
        "service_areas": [area],
        "kinds": kinds,
        "keywords": [title.split()[0].lower(), "configuration"],
        "maintainers": [{"name": "Systems Team", "email": f"systems@{publisher}.example.gov.uk"}],
    }


def pack_files(
    publisher: str, name: str, version: str, topic: tuple, rng: random.Random
) -> dict[str, bytes]:
    """A small realistic pack: manifest, README, a workflow or form and installation notes."""
    steps = "".join(
        f"  <step code='S{i}' team='{rng.choice(('MASH', 'Assessment', 'CIN', 'CP', 'LAC'))}'>"
        f"{rng.choice(SENTENCES)}</step>\n"
        for i in range(rng.randint(8, 30))
    )
    readme = (
        f"# {topic[1]}\n\n" + "\n\n".join(rng.sample(SENTENCES, 4)) + f"\n\nVersion {version}.\n"
    )
    return {
        "cmspack.yaml": yaml.safe_dump(
            manifest(publisher, name, version, topic), sort_keys=False
        ).encode(),
        "README.md": readme.encode(),
        "config/steps.xml": f"<workflow name='{name}'>\n{steps}</workflow>\n".encode(),
        "docs/install.md": ("# Install\n\n" + " ".join(rng.sample(SENTENCES, 3)) + "\n").encode(),
    }


def git_env() -> dict[str, str]:
    """This environment without GIT_* variables, so git sees only the repository named."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {"LC_ALL": "C"}


# -- filling the store quickly --------------------------------------------------------------------


class Filler:
    """Adds approved packs to an instance as approvals would have: git, database and index."""

    def __init__(self, reg: Registry, rng: random.Random):
        self.reg = reg
        self.rng = rng
        self.count = 0
        self.docs: list[dict] = []
        self.packs: list[tuple[str, str, tuple]] = []  # (publisher, name, topic) of stored packs
        self.org_ids: dict[str, int] = {}

    def organisations(self) -> None:
        """Create the publishing councils through the accounts service."""
        for slug in COUNCILS:
            accounts.create_org(
                self.reg, slug, f"{slug.replace('-', ' ').title()} Council", "county"
            )
        with self.reg.db.session() as session:
            self.org_ids = dict(
                session.execute(sa.select(Organisation.slug, Organisation.id)).all()
            )

    def fill(self, total: int) -> dict[str, float]:
        """Add packs until the store holds total; return seconds spent on git, database, index."""
        new = []
        for i in range(self.count, total):
            topic = TOPICS[i % len(TOPICS)]
            publisher = COUNCILS[(i * 7) % len(COUNCILS)]
            name = f"{topic[0]}-{i:05d}"
            new.append(
                (publisher, name, topic, pack_files(publisher, name, "1.0.0", topic, self.rng))
            )
        first_sid = self._next_id(Submission)
        started = time.perf_counter()
        commits, trees, tags = self._git(new, first_sid)
        git_s = time.perf_counter() - started
        started = time.perf_counter()
        self._database(new, first_sid, commits, trees, tags)
        db_s = time.perf_counter() - started
        started = time.perf_counter()
        for publisher, name, topic, files in new:
            self.docs.append(document(publisher, name, "1.0.0", topic, files))
        self.reg.search.rebuild(self.docs)
        index_s = time.perf_counter() - started
        self.packs += [(p, n, t) for p, n, t, _ in new]
        self.count = total
        return {"git": git_s, "database": db_s, "index": index_s}

    def _next_id(self, model) -> int:
        with self.reg.db.session() as session:
            return (session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1

    def _git(self, new: list, first_sid: int) -> tuple[list[str], list[str], dict[str, str]]:
        """One fast-import stream: per pack an approval commit on main and its annotated tag."""
        repo = self.reg.store.repo.path
        name, email = DEFAULT_IDENTITY
        when = int(time.time())
        ident = f"{name} <{email}> {when} +0000"
        has_main = self.reg.store.head() is not None
        marks = repo.parent / "fast-import.marks"
        proc = subprocess.Popen(
            ["git", f"--git-dir={repo}", "fast-import", "--quiet", f"--export-marks={marks}"],
            stdin=subprocess.PIPE,
            env=git_env(),
        )
        assert proc.stdin is not None

        def data(payload: bytes) -> bytes:
            return b"data %d\n%s\n" % (len(payload), payload)

        for i, (publisher, pack, _, files) in enumerate(new):
            sid = str(first_sid + i)
            out = [
                b"commit refs/heads/main\n",
                b"mark :%d\n" % (i + 1),
                f"committer {ident}\n".encode(),
            ]
            out.append(data(approval_commit_message(publisher, pack, "1.0.0", sid).encode()))
            if i == 0 and has_main:
                out.append(b"from refs/heads/main^0\n")
            for path, content in sorted(files.items()):
                out.append(f"M 100644 inline packs/{publisher}/{pack}/{path}\n".encode())
                out.append(data(content))
            out.append(f"tag {publisher}/{pack}/v1.0.0\nfrom :{i + 1}\ntagger {ident}\n".encode())
            message = approval_tag_message(
                publisher, pack, "1.0.0", APPROVER, "Checked at the user group.", sid
            )
            out.append(data(message.encode()))
            proc.stdin.write(b"".join(out))
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        by_mark = dict(line.split() for line in marks.read_text().splitlines())
        commits = [by_mark[f":{i + 1}"] for i in range(len(new))]
        listing = subprocess.run(
            [
                "git",
                f"--git-dir={repo}",
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                "refs/tags/",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=git_env(),
        ).stdout
        tags = dict(line.split() for line in listing.splitlines())
        # Each pack's tree id, as git wrote it, in one cat-file call.
        wanted = "".join(
            f"{c}:packs/{p}/{n}\n" for c, (p, n, _, _) in zip(commits, new, strict=True)
        )
        trees = subprocess.run(
            ["git", f"--git-dir={repo}", "cat-file", "--batch-check=%(objectname)"],
            input=wanted,
            capture_output=True,
            text=True,
            check=True,
            env=git_env(),
        ).stdout.split()
        return commits, trees, tags

    def _database(
        self,
        new: list,
        first_sid: int,
        commits: list[str],
        trees: list[str],
        tags: dict[str, str],
    ) -> None:
        """Bulk-insert the rows an approval writes, with the real archive checksums."""
        first_pack = self._next_id(Pack)
        now = datetime.now(UTC)
        packs, subs, versions, events = [], [], [], []
        for i, (publisher, name, topic, files) in enumerate(new):
            sid, pid = first_sid + i, first_pack + i
            m = manifest(publisher, name, "1.0.0", topic)
            claim = f"{publisher}/{name}@1.0.0"
            size = sum(len(v) for v in files.values())
            packs.append(
                {
                    "id": pid,
                    "publisher_id": self.org_ids[publisher],
                    "name": name,
                    "created_at": now,
                }
            )
            subs.append(
                {
                    "id": sid,
                    "publisher_id": self.org_ids[publisher],
                    "name": name,
                    "version": "1.0.0",
                    "supplier": topic[2],
                    "status": "approved",
                    "claim": claim,
                    "submitted_by": PUBLISHER_USER,
                    "submitted_at": now,
                    "decided_at": now,
                    "manifest": m,
                    "report": {"files": len(files), "size": size, "notices": [], "findings": []},
                    "commit": commits[i],
                }
            )
            versions.append(
                {
                    "pack_id": pid,
                    "version": "1.0.0",
                    "manifest": m,
                    "commit": commits[i],
                    "tree": trees[i],
                    "zip_sha256": build_zip(files).sha256,
                    "tar_sha256": build_tar_gz(files).sha256,
                    "file_count": len(files),
                    "size": size,
                    "submission_id": sid,
                    "approved_by": APPROVER,
                    "approved_at": now,
                    "yanked": False,
                    "downloads": 0,
                }
            )
            assert f"refs/tags/{publisher}/{name}/v1.0.0" in tags
            for actor, action in ((PUBLISHER_USER, "submit"), (APPROVER, "approve")):
                events.append(
                    {
                        "at": now,
                        "actor": actor,
                        "action": action,
                        "target": claim,
                        "reason": None,
                        "details": {"submission": sid},
                    }
                )
        with self.reg.db.session() as session:
            session.execute(sa.insert(Pack), packs)
            session.execute(sa.insert(Submission), subs)
            session.execute(sa.insert(Version), versions)
            session.execute(sa.insert(AuditEvent), events)
            if not self.reg.db.is_sqlite:  # explicit ids: move the sequences past them
                for table in ("packs", "submissions"):
                    session.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 (constant table names)
                            f" (SELECT max(id) FROM {table}))"
                        )
                    )


def document(
    publisher: str, name: str, version: str, topic: tuple, files: dict[str, bytes]
) -> dict:
    """The search document searchsync would build for a stored pack."""
    m = manifest(publisher, name, version, topic)
    return {
        "publisher": publisher,
        "name": name,
        "version": version,
        "title": m["title"],
        "summary": m["summary"],
        "keywords": m["keywords"],
        "readme": files["README.md"].decode(),
        "file_names": sorted(files),
        "text": "\n".join(files[p].decode() for p in sorted(files) if p != "README.md"),
        "supplier": m["supplier"],
        "products": [p["id"] for p in m["products"]],
        "service_areas": m["service_areas"],
        "practice_models": [],
        "organisation_structures": [],
        "kinds": m["kinds"],
        "licence": m["licence"],
        "updated_at": datetime.now(UTC),
        "downloads": 0,
    }


# -- measuring ------------------------------------------------------------------------------------


def cycles(
    reg: Registry, filler: Filler, count: int, rng: random.Random, label: str
) -> tuple[list[float], list[float]]:
    """Publish and approve count packs through the services; return the seconds of publish, of
    approve (until it answers) and of approve until a search finds the pack (the index update
    runs in the indexer thread after the answer; the next cycle starts once it is done)."""
    publisher = Actor(PUBLISHER_USER, frozenset({"publish"}), frozenset(COUNCILS))
    moderator = Actor(APPROVER, frozenset({"moderate"}), suppliers=frozenset(t[2] for t in TOPICS))
    pub_s, app_s, found_s = [], [], []
    for k in range(count + WARM_UP):
        if k % 2 and filler.packs:  # a new version of a stored pack: main and the pack's tags move
            publisher_slug, name, topic = filler.packs.pop(rng.randrange(len(filler.packs)))
            version = "1.1.0"
        else:  # a new pack
            topic = TOPICS[k % len(TOPICS)]
            publisher_slug = COUNCILS[rng.randrange(len(COUNCILS))]
            name, version = f"{topic[0]}-{label}-{k:03d}", "1.0.0"
        archive = build_zip(pack_files(publisher_slug, name, version, topic, rng)).data
        started = time.perf_counter()
        sub = publish.submit(reg, publisher, io.BytesIO(archive), "pack.zip")
        middle = time.perf_counter()
        moderation.approve(reg, moderator, sub.id, note="Checked at the user group.")
        ended = time.perf_counter()
        searchsync.catch_up(reg)  # what every search does first: waits for the indexer
        indexed = time.perf_counter()
        if k >= WARM_UP:
            pub_s.append(middle - started)
            app_s.append(ended - middle)
            found_s.append(indexed - middle)
    return pub_s, app_s, found_s


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def row(name: str, *cells: str) -> str:
    """One table row."""
    return f"{name:<58}" + "".join(f"{c:>12}" for c in cells)


# -- downloads ------------------------------------------------------------------------------------


def downloads(reg: Registry, rng: random.Random, seconds: float) -> tuple[str, str, bool]:
    """Throughput of one cached archive through the registry and through a static file server."""
    topic = TOPICS[0]
    files = pack_files("leeds", "download-bench", "1.0.0", topic, rng)
    for i in range(40):  # about 1 MB of configuration, so the body outweighs the headers
        files[f"forms/form-{i:02d}.xml"] = "\n".join(
            f"<question id='Q{i}-{j}'>{rng.choice(SENTENCES)} {rng.random()}</question>"
            for j in range(300)
        ).encode()
    publisher = Actor(PUBLISHER_USER, frozenset({"publish"}), frozenset(COUNCILS))
    moderator = Actor(APPROVER, frozenset({"moderate"}), suppliers=frozenset({topic[2]}))
    sub = publish.submit(reg, publisher, io.BytesIO(build_zip(files).data), "pack.zip")
    moderation.approve(reg, moderator, sub.id)
    cached = reg.store.archive_file("leeds", "download-bench", "1.0.0", "zip")
    size = cached.size

    settings = {
        "CMSREG_INSTANCE": reg.settings["INSTANCE"],
        "CMSREG_DATABASE_URL": reg.settings["DATABASE_URL"],
    }
    static_port = free_port()
    with serve(settings) as (base, _):
        static = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                "--directory",
                str(cached.path.parent),
                str(static_port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            static_url = f"http://127.0.0.1:{static_port}/{cached.path.name}"
            wait_for(static_url, static)
            url = f"{base}/api/v1/packs/leeds/download-bench/versions/1.0.0/download?format=zip"
            r = httpx.get(url)
            assert r.status_code == 200 and len(r.content) == size, r.status_code
            registry_rps, tool = load(url, seconds)
            static_rps, _ = load(static_url, seconds)
        finally:
            stop(static)
    print(
        f"\ndownload of one cached archive ({size / 1e6:.2f} MB zip), {seconds:g} s each with {tool},"
        " 8 connections"
    )
    print(row("", "req/s", "MB/s", "x static"))
    print(
        row(
            "cmsreg-server serve (2 workers)",
            f"{registry_rps:.0f}",
            f"{registry_rps * size / 1e6:.1f}",
            f"{registry_rps / static_rps:.2f}",
        )
    )
    print(
        row(
            "reference: python -m http.server",
            f"{static_rps:.0f}",
            f"{static_rps * size / 1e6:.1f}",
            "1.00",
        )
    )
    ratio = registry_rps / static_rps
    return (
        f"download >= {TARGET_DOWNLOAD_RATIO} x python -m http.server",
        f"{ratio:.2f} x",
        ratio >= TARGET_DOWNLOAD_RATIO,
    )


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", default="1000,10000", help="store sizes, comma-separated")
    parser.add_argument("--cycles", type=int, default=20, help="publish+approve cycles per size")
    parser.add_argument("--seconds", type=float, default=5.0, help="per download measurement")
    parser.add_argument(
        "--database-url", default="", help="e.g. a PostgreSQL database; default SQLite"
    )
    parser.add_argument("--no-download", action="store_true", help="skip the download throughput")
    parser.add_argument(
        "--quick", action="store_true", help="100 and 1,000 packs, 10 cycles, 2 s downloads"
    )
    args = parser.parse_args(argv)
    sizes = [100, 1000] if args.quick else [int(n) for n in args.packs.split(",")]
    count = 10 if args.quick else args.cycles
    seconds = 2.0 if args.quick else args.seconds
    rng = random.Random(1234)

    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-") as tmp:
        # The fill backdates nothing, so every council has "uploaded" its packs within the hour:
        # the hourly upload limit is off, as the bench measures the store, not the limit.
        overrides = {"INSTANCE": tmp, "UPLOADS_PER_HOUR": 0}
        if args.database_url:
            overrides["DATABASE_URL"] = args.database_url
        reg = Registry.from_settings(overrides)
        reg.init()
        filler = Filler(reg, rng)
        filler.organisations()
        print(
            f"database: {'SQLite' if reg.db.is_sqlite else 'PostgreSQL'}; {count} publish+approve cycles"
            f" per size after {WARM_UP} warm-up; {machine()}"
        )
        print(row("", "packs", "fill (s)", "p50 (ms)", "p95 (ms)", "max (ms)"))
        results: dict[int, tuple[list[float], list[float], list[float]]] = {}
        for size in [0, *sizes]:
            spent = filler.fill(size) if size else {}
            fill = sum(spent.values())
            results[size] = cycles(reg, filler, count, rng, f"s{size}")
            for label, values in zip(
                ("publish (validate + submit)", "approve", "approve until searchable"),
                results[size],
                strict=True,
            ):
                name = f"{label}{' (reference)' if size == 0 else ''}"
                print(
                    row(
                        name,
                        f"{size:,}",
                        f"{fill:.1f}" if size else "-",
                        f"{percentile(values, 50) * 1000:.0f}",
                        f"{percentile(values, 95) * 1000:.0f}",
                        f"{max(values) * 1000:.0f}",
                    )
                )
            if spent:
                print(
                    row(
                        "  fill: git, database, index (s)",
                        "",
                        *(f"{spent[k]:.1f}" for k in ("git", "database", "index")),
                    )
                )

        print()
        small, large = sizes[0], sizes[-1]
        verdicts = []
        for i, label in enumerate(("publish", "approve", "approve until searchable")):
            worst = max(percentile(results[s][i], 95) for s in sizes) * 1000
            growth = percentile(results[large][i], 50) / percentile(results[small][i], 50)
            verdicts.append(
                (
                    f"{label} p95 <= {TARGET_MS:.0f} ms at every size",
                    f"{worst:.0f} ms",
                    worst <= TARGET_MS,
                )
            )
            verdicts.append(
                (
                    f"{label} p50 at {large:,} <= {TARGET_GROWTH} x at {small:,}",
                    f"{growth:.2f} x",
                    growth <= TARGET_GROWTH,
                )
            )
        approve_large = percentile(results[large][1], 95) * 1000
        verdicts.append(
            (
                f"approve p95 at {large:,} <= {TARGET_APPROVE_P95_MS:.0f} ms",
                f"{approve_large:.0f} ms",
                approve_large <= TARGET_APPROVE_P95_MS,
            )
        )
        if not args.no_download:
            if not ensure_wrk():
                print(
                    "wrk is not installed (`sudo apt-get install wrk`): the download load comes"
                    " from Python threads on the same cores as the server"
                )
            verdicts.append(downloads(reg, rng, seconds))
        print("\ntargets")
        for name, value, ok in verdicts:
            print(row(name, value, "PASS" if ok else "MISS"))
        reg.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
