"""`cmsreg search`, `show` and `diff`: finding approved packs and reading about them."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

import click

from cli.client import print_json
from cli.refs import parse_pack
from cli.session import json_option, open_client, registry_option

if TYPE_CHECKING:
    from rich.console import Console

# The filters of GET /api/v1/search, in its order: (API name, option, help). A filter may be
# given more than once: values of one filter are OR-ed, different filters AND-ed.
FILTERS = (
    ("supplier", "--supplier", "Case management system supplier, e.g. system-c."),
    ("product", "--product", "Product, e.g. lcs, mosaic, eclipse."),
    ("service_area", "--service-area", "Service area, e.g. childrens-social-care."),
    ("practice_model", "--practice-model", "Practice model, e.g. signs-of-safety."),
    (
        "organisation_structure",
        "--organisation-structure",
        "Structure, e.g. mash (or --structure).",
    ),
    ("kind", "--kind", "Kind of configuration, e.g. workflow, form, report."),
    ("statutory_return", "--statutory-return", "Statutory return it feeds, e.g. ssda903 or 903."),
    ("publisher", "--publisher", "Publishing organisation, e.g. hertfordshire."),
    ("licence", "--licence", "Licence, e.g. OGL-UK-3.0."),
)
SORTS = ("relevance", "updated", "downloads", "name")
MAX_TAGS = 4  # tags shown per result
# The API's largest page; more per page is a usage error before anything is sent.
MAX_PER_PAGE = 100


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    return f"{n / 1_000_000:.1f} MB"


def _day(timestamp: str | None) -> str:
    return (timestamp or "")[:10]


# -- search -----------------------------------------------------------------------------------


def _filter_options(f: Any) -> Any:
    for name, option, help_ in reversed(FILTERS):
        # --structure: the word councils use for --organisation-structure.
        short = ("--structure",) if name == "organisation_structure" else ()
        f = click.option(
            option, *short, name, multiple=True, metavar="SLUG", help=help_ + " Repeatable."
        )(f)
    return f


@click.command()
@click.argument("query", nargs=-1)
@_filter_options
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Order of the results.",
)
@click.option("--page", type=click.IntRange(1, 10_000), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, MAX_PER_PAGE), default=20, show_default=True)
@registry_option
@json_option
def search(
    query: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
    registry: str | None,
    as_json: bool,
    **filters: tuple[str, ...],
) -> None:
    """Search the registry's approved packs by words and filters, with counts per filter.

    Words may be abbreviations the registry knows (SoS, LAC, MASH …). Values of one filter are
    alternatives; different filters must all match, e.g.
    `cmsreg search "child protection" --supplier system-c --kind workflow --kind form`.
    """
    from cli.client import InvalidError

    q = " ".join(query)
    with open_client(registry) as client:
        try:
            answer = client.get(
                "/api/v1/search",
                q=q,
                sort=sort,
                page=page,
                per_page=per_page,
                **{name: list(values) for name, values in filters.items()},
            )
        except InvalidError as exc:  # a search the registry cannot run: the user's to change
            raise click.UsageError(exc.message) from None
    if as_json:
        print_json(answer)
        return
    again = [
        f"{option} {shlex.quote(value)}" for name, option, _ in FILTERS for value in filters[name]
    ]
    _print_search(_console(), q, answer, page, " ".join(again))


def _tags(result: dict) -> str:
    tags: list[str] = []
    for key in ("practice_models", "kinds"):  # the rest are in the facets and in `show`
        tags += [t for t in result.get(key) or [] if t not in tags]
    if len(tags) > MAX_TAGS:  # keep rows short: `show` lists them all
        tags = [*tags[: MAX_TAGS - 1], f"+{len(tags) - MAX_TAGS + 1} more"]
    return ", ".join(tags)


def _print_search(console: Console, q: str, answer: dict, page: int, filters: str) -> None:
    """The results table, the count of packs, a suggestion, then counts for each filter."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    total, results = answer.get("total", 0), answer.get("results") or []
    words = f' for "{q}"' if q else ""
    if answer.get("did_you_mean"):
        suggestion = answer["did_you_mean"]
        command = " ".join(filter(None, ("cmsreg search", shlex.quote(suggestion), filters)))
        console.print(Text.assemble("Did you mean ", (f'"{suggestion}"', "bold"), "?"))
        console.print(Text(f"  {command}"), soft_wrap=True)
    if not results:
        more = " on this page" if total else ""
        console.print(Text(f"No packs{words}{more}."))
    else:
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
            expand=True,
            leading=1,
            collapse_padding=True,
        )
        # The title and slug get what the other columns leave of 80 characters; slugs longer
        # than that are folded, never cut.
        # The pack's slug on a line of its own (folded only past the column), its title, then
        # its practice models and kinds: the widest cell gets what the others leave of the line.
        table.add_column("Pack, title and tags", ratio=1, overflow="fold")
        table.add_column("Latest", no_wrap=True)
        table.add_column("Supplier", max_width=14, overflow="fold")
        table.add_column("Downloads", justify="right", no_wrap=True)
        for r in results:
            pack = Text.assemble(
                (f"{r['publisher']}/{r['name']}", "cyan"), "\n", (r.get("title") or "", "bold")
            )
            if _tags(r):
                pack.append("\n" + _tags(r), "dim")
            where = Text(r.get("supplier") or "")
            if r.get("products"):
                where.append("\n" + ", ".join(r["products"]), "dim")
            table.add_row(
                pack,
                Text(r.get("version") or ""),
                where,
                str(r.get("downloads", 0)),
            )
        console.print(table)
        pages = max(1, -(-total // max(1, answer.get("per_page") or 1)))
        line = f"{total} pack{'s' if total != 1 else ''}{words}"
        if pages > 1:
            line += f", page {page} of {pages}"
            if page < pages:
                line += f" (next: --page {page + 1})"
        console.print(Text(line + "."))
    _print_facets(console, answer.get("facets") or {})


def _print_facets(console: Console, facets: dict[str, dict[str, int]]) -> None:
    from rich.text import Text

    shown = [(name, counts) for name, counts in facets.items() if any(counts.values())]
    if not shown:
        return
    console.print(Text("\nNarrow with (count of packs):", style="bold"))
    options = {name: option for name, option, _ in FILTERS}
    for name, counts in shown:
        ordered = sorted(
            ((value, count) for value, count in counts.items() if count),
            key=lambda item: (-item[1], item[0]),
        )
        line = Text(f"{options.get(name, name)} ", style="cyan")
        line.append(", ".join(f"{value} ({count})" for value, count in ordered))
        console.print(line)


# -- show -------------------------------------------------------------------------------------


@click.command()
@click.argument("pack", metavar="PUBLISHER/NAME[@VERSION]")
@registry_option
@json_option
def show(pack: str, registry: str | None, as_json: bool) -> None:
    """Show a pack and its versions, or with @VERSION its files, checksums and dependencies.

    Without @VERSION: what the pack is for and every version, yanked ones with the reason.
    With @VERSION (or @latest): each file with its size and SHA-256, the archives' SHA-256,
    dependencies, who approved it, and the `cmsreg download` command that fetches it.
    """
    ref = parse_pack(pack)
    with open_client(registry) as client:
        answer = client.get(ref.version_path if ref.version else ref.path)
    if as_json:
        print_json(answer)
        return
    console = _console()
    if ref.version is None:
        _print_pack(console, answer)
    else:
        _print_version(console, answer)


def _heading(console: Console, manifest: dict, answer: dict) -> None:
    from rich.text import Text

    console.print(Text(manifest.get("title") or answer["name"], style="bold"))
    ident = Text(f"{answer['publisher']}/{answer['name']}", style="cyan")
    if answer.get("version"):
        ident.append(f" {answer['version']}", style="bold")
    if answer.get("example"):
        ident.append("  (an example the registry was seeded with)", style="dim")
    console.print(ident)
    if manifest.get("summary"):
        console.print(Text(manifest["summary"]))
    console.print()


def products_text(manifest: dict) -> str:
    """The manifest's products with their tested releases, e.g. "lcs >=2023.1, ehm"."""
    products = []
    for p in manifest.get("products") or []:
        if isinstance(p, dict):
            products.append(" ".join(str(x) for x in (p.get("id"), p.get("versions")) if x))
        else:
            products.append(str(p))
    return ", ".join(products)


def _facts(console: Console, rows: list[tuple[str, Any]]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        table.add_row(label, Text(str(value)))
    console.print(table)


def _manifest_rows(manifest: dict) -> list[tuple[str, Any]]:
    maintainers = [
        f"{m.get('name')} <{m.get('email')}>" if isinstance(m, dict) else str(m)
        for m in manifest.get("maintainers") or []
    ]
    return [
        ("Supplier", manifest.get("supplier")),
        ("Products", products_text(manifest)),
        ("Service areas", manifest.get("service_areas")),
        ("Practice models", manifest.get("practice_models")),
        ("Structures", manifest.get("organisation_structures")),
        ("Kinds", manifest.get("kinds")),
        ("Keywords", manifest.get("keywords")),
        ("Licence", manifest.get("licence")),
        ("Maintainers", maintainers),
    ]


def _depends(console: Console, depends: dict) -> None:
    from rich.text import Text

    if not depends:
        return
    console.print(Text("Depends on", style="bold"))
    for name, spec in sorted(depends.items()):
        console.print(Text(f"  {name} {spec}"))
    console.print()


def _print_pack(console: Console, answer: dict) -> None:
    from rich.text import Text

    manifest = answer.get("manifest") or {}
    _heading(console, manifest, answer)
    latest = answer.get("latest") or "none (every version is yanked)"
    _facts(
        console,
        [("Latest", latest), *_manifest_rows(manifest), ("Downloads", answer.get("downloads"))],
    )
    _depends(console, answer.get("depends") or {})
    console.print(Text("Versions", style="bold"))
    for v in answer.get("versions") or []:
        line = Text(f"  {v['version']:<12} {_day(v.get('approved_at'))}  ")
        n = v.get("downloads", 0)
        line.append(f"{n} download{'' if n == 1 else 's'}")
        if v["version"] == answer.get("latest"):
            line.append("  latest", style="green")
        if v.get("yanked"):
            line.append(f"  yanked: {v.get('yank_reason') or 'no reason given'}", style="red")
        console.print(line)
    ref = f"{answer['publisher']}/{answer['name']}"
    console.print()
    console.print(Text("Files and checksums of a version", style="bold"))
    console.print(Text(f"  cmsreg show {ref}@VERSION"), soft_wrap=True)


def _print_version(console: Console, answer: dict) -> None:
    from rich.text import Text

    manifest = answer.get("manifest") or {}
    _heading(console, manifest, answer)
    if answer.get("yanked"):
        console.print(
            Text(
                f"Yanked: {answer.get('yank_reason') or 'no reason given'}. Use another version "
                "unless you know you need this one.",
                style="bold red",
            )
        )
        console.print()
    approved = f"{_day(answer.get('approved_at'))} by {answer.get('approved_by')}"
    _facts(
        console,
        [
            *_manifest_rows(manifest),
            ("Approved", approved),
            ("Git tag", answer.get("tag")),
            ("Downloads", answer.get("downloads")),
        ],
    )
    _depends(console, manifest.get("depends") or {})
    files = answer.get("files") or []
    total = sum(f.get("size") or 0 for f in files)
    console.print(Text(f"Files ({len(files)}, {_size(total)}) and their SHA-256", style="bold"))
    for f in files:
        console.print(Text(f"  {f['path']}  ({_size(f.get('size'))})"), soft_wrap=True)
        console.print(Text(f"    {f['sha256']}", style="dim"))
    console.print()
    console.print(Text("Archives and their SHA-256", style="bold"))
    for fmt, sha in (answer.get("archive_sha256") or {}).items():
        if sha:
            console.print(Text(f"  {fmt:<7} {sha}"))
    console.print()
    console.print(Text("Download and check it with", style="bold"))
    command = f"cmsreg download {answer['publisher']}/{answer['name']}@{answer['version']}"
    console.print(Text(f"  {command}"), soft_wrap=True)
    console.print(Text(f"  {command} --format tar.gz --extract"), soft_wrap=True)


# -- diff -------------------------------------------------------------------------------------

# Styles of unified diff lines by their first characters, as git colours them.
LINE_STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


@click.command()
@click.argument("pack", metavar="PUBLISHER/NAME")
@click.argument("from_version", metavar="A")
@click.argument("to_version", metavar="B")
@click.option("--stat", is_flag=True, help="Only a line per file: how many lines came and went.")
@registry_option
@json_option
def diff(
    pack: str, from_version: str, to_version: str, stat: bool, registry: str | None, as_json: bool
) -> None:
    """Compare two versions of a pack as a unified diff, coloured on a terminal.

    A and B are versions (or `latest`). Files added, removed and changed are listed by path;
    binary files and files too large to compare are named with their sizes.
    """
    ref = parse_pack(pack, version="none")
    with open_client(registry) as client:
        answer = client.get(f"{ref.path}/diff", **{"from": from_version, "to": to_version})
    if as_json:
        print_json(answer)
        return
    from rich.console import Console

    # soft_wrap: a diff line is never broken, whatever the width; colour only on a terminal.
    console = Console(highlight=False, soft_wrap=True)
    changes = sorted(
        (*answer.get("added", []), *answer.get("removed", []), *answer.get("changed", [])),
        key=lambda c: c["path"],
    )
    title = f"{ref.publisher}/{ref.name} {answer.get('from')} → {answer.get('to')}"
    if not changes:
        console.print(f"No differences: {title} hold the same files.", markup=False)
        return
    if stat:
        _print_stat(console, changes)
    else:
        for change in changes:
            _print_change(console, change)
    if answer.get("truncated"):
        console.print(
            "Some diffs were left out to keep the answer small; download both versions "
            "(cmsreg download --extract) to compare them in full.",
            style="yellow",
            markup=False,
        )


def _print_change(console: Console, change: dict) -> None:
    from rich.text import Text

    if change.get("diff"):
        for line in change["diff"].splitlines():
            style = next((s for prefix, s in LINE_STYLES if line.startswith(prefix)), "")
            console.print(Text(line, style=style or ("dim" if line.startswith("\\") else "")))
        return
    sizes = f"{_size(change.get('old_size'))} → {_size(change.get('new_size'))}"
    what = "Binary file" if change.get("binary") else "File"
    why = f": {change['note']}" if change.get("note") and not change.get("binary") else ""
    console.print(Text(f"{what} {change['path']} {change['status']} ({sizes}){why}", style="bold"))


def _counts(change: dict) -> tuple[int, int]:
    """Lines added and removed in a file's unified diff (its two header lines left out)."""
    lines = (change.get("diff") or "").splitlines()
    body = lines[2:] if len(lines) >= 2 and lines[0].startswith("---") else lines
    added = sum(1 for line in body if line.startswith("+"))
    removed = sum(1 for line in body if line.startswith("-"))
    return added, removed


def _print_stat(console: Console, changes: list[dict]) -> None:
    from rich.text import Text

    width = min(max(len(c["path"]) for c in changes), 50)
    counted = [(c, *_counts(c)) for c in changes]
    most = max((a + r for _, a, r in counted), default=0)
    room = max(10, console.width - width - 12)  # the bar's share of the line
    for change, added, removed in counted:
        path = change["path"]
        if len(path) > width:
            path = "…" + path[-(width - 1) :]
        line = Text(f" {path:<{width}} | ")
        if not change.get("diff"):
            kind = "Bin" if change.get("binary") else "not compared"
            old, new = change.get("old_size"), change.get("new_size")
            line.append(f"{kind} {_size(old)} → {_size(new)} ({change['status']})")
        else:
            scale = min(1.0, room / most) if most else 1.0
            plus = max(1, round(added * scale)) if added else 0
            minus = max(1, round(removed * scale)) if removed else 0
            line.append(f"{added + removed:>4} ")
            line.append("+" * plus, style="green")
            line.append("-" * minus, style="red")
        console.print(line)
    added = sum(a for _, a, _ in counted)
    removed = sum(r for _, _, r in counted)
    files = f"{len(changes)} file{'s' if len(changes) != 1 else ''} changed"
    console.print(
        Text(
            f" {files}, {added} insertion{'s' if added != 1 else ''}(+), "
            f"{removed} deletion{'s' if removed != 1 else ''}(-)"
        )
    )
