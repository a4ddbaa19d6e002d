"""Publishers' commands: yank and unyank a version, withdraw a submission, list your submissions.

Refusals come from the registry and keep its message: not signed in or not allowed exit 4, a
conflict (already yanked, no longer pending) or an unknown id exit 3, a reason the registry
refuses (blank, too long) exit 1. A yank or unyank asks first; `--yes` answers for you, and
without a terminal to ask on, nothing happens unless `--yes` is given (exit 2). Answering no
changes nothing and exits 1, as click's own confirmations do.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import click

from cli import exits
from cli.refs import PackRef, SubmissionRef, parse_pack
from cli.refs import submission_id as resolve
from cli.session import json_option, open_client, registry_option

PAGE = 100  # the registry's largest page of submissions


def interactive() -> bool:
    """Whether there is a person at a terminal to answer a question."""
    return sys.stdin.isatty()


def confirm(question: str, yes: bool, what: str) -> None:
    """Ask before acting; `--yes` skips the question, and without a terminal it is required."""
    if yes:
        return
    if not interactive():
        raise click.UsageError(
            f"{what} needs a confirmation and there is no terminal to ask on: add --yes to "
            "go ahead without asking."
        )
    if not click.confirm(question, default=False):
        click.echo("Nothing was changed.", err=True)
        sys.exit(exits.INVALID)


def when(stamp: str | None) -> datetime | None:
    """An API timestamp (ISO 8601, with its zone) as a datetime."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def age(stamp: str | None, now: datetime | None = None) -> str:
    """How long ago, shortly: 45m, 5h 10m, 3d 4h."""
    moment = when(stamp)
    if moment is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else "<1m"


def day(stamp: str | None) -> str:
    """A timestamp as `2026-12-05 16:04 UTC`."""
    moment = when(stamp)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def every_submission(client: Any, limit: int, **params: Any) -> list[dict]:
    """Submissions from the queue, a page at a time, up to limit."""
    found: list[dict] = []
    page = 1
    while len(found) < limit:
        batch = client.get("/api/v1/submissions", page=page, per_page=PAGE, **params)
        found += batch
        if len(batch) < PAGE:
            break
        page += 1
    return found[:limit]


def pack_of(sub: dict) -> str:
    """A submission's pack and version as PUBLISHER/NAME@VERSION."""
    return f"{sub['publisher']}/{sub['name']}@{sub['version']}"


def _yank_or_unyank(
    verb: str, ref: str, reason: str | None, yes: bool, registry: str | None, as_json: bool
) -> None:
    from cli.client import print_json

    pack = parse_pack(ref, version="required")
    publisher, name = pack.publisher, pack.name
    path = pack.version_path
    with open_client(registry, signed_in=True) as client:
        current = client.get(path)  # an unknown version stops here (exit 3), before any question
        label = f"{publisher}/{name} {current['version']}"
        if verb == "yank":
            question = (
                f"Yank {label} (downloaded {current.get('downloads', 0)} times)? Councils will "
                f"see the reason; `latest` and search will leave it out."
            )
        else:
            question = f"Unyank {label}? It can become `latest` again and shows in search."
        confirm(question, yes, f"{verb.capitalize()}ing {label}")
        body = {"reason": reason} if reason is not None else {}
        done = client.post(f"{path}/{verb}", body)
    if as_json:
        print_json(done)
    elif verb == "yank":
        click.echo(
            f"Yanked {label}: {done.get('yank_reason')}\nIt stays downloadable by its exact "
            "version; `latest` and search leave it out."
        )
    else:
        click.echo(f"Unyanked {label}: it is current again.")


@click.command()
@click.argument("ref", metavar="PUBLISHER/NAME@VERSION")
@click.option(
    "--reason", required=True, help="Why, for the councils that downloaded it (required)."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@registry_option
@json_option
def yank(ref: str, reason: str, yes: bool, registry: str | None, as_json: bool) -> None:
    """Yank an approved version: councils see why, `latest` and search leave it out.

    Your organisation's versions, or those of a supplier you moderate. The version stays
    downloadable by its exact number. Asks first unless --yes is given; exit 3 when it is
    already yanked, 4 when it is not yours to yank.
    """
    _yank_or_unyank("yank", ref, reason, yes, registry, as_json)


@click.command()
@click.argument("ref", metavar="PUBLISHER/NAME@VERSION")
@click.option("--reason", help="Why, for the audit log (optional).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@registry_option
@json_option
def unyank(ref: str, reason: str | None, yes: bool, registry: str | None, as_json: bool) -> None:
    """Undo a yank: the version is current again.

    Asks first unless --yes is given; exit 3 when it is not yanked, 4 when it is not yours.
    """
    _yank_or_unyank("unyank", ref, reason, yes, registry, as_json)


@click.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@click.option("--note", help="A note for the record (optional).")
@registry_option
@json_option
def withdraw(
    submission_id: int | PackRef, note: str | None, registry: str | None, as_json: bool
) -> None:
    """Withdraw a pending or rejected submission of your organisation.

    Its files leave the registry (keep your own copy); the version can then be submitted again.
    Exit 3 when it is no longer pending or rejected, or no submission of yours has that id.
    """
    from cli.client import print_json

    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        done = client.post(f"/api/v1/submissions/{submission_id}/withdraw", {"note": note})
    if as_json:
        print_json(done)
        return
    click.echo(
        f"Withdrew submission {submission_id} ({pack_of(done)}): its files have left the "
        "registry, and the version can be submitted again."
    )


@click.command()
@click.option(
    "--status",
    type=click.Choice(["pending", "approving", "approved", "rejected", "withdrawn"]),
    help="Only submissions in this state.",
)
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="At most this many, newest first.",
)
@registry_option
@json_option
def submissions(status: str | None, limit: int, registry: str | None, as_json: bool) -> None:
    """List your organisation's submissions, newest first, with status and the reviewer's reason."""
    from rich.console import Console
    from rich.table import Table

    from cli.client import print_json

    with open_client(registry, signed_in=True) as client:
        who = client.get("/api/v1/whoami")
        mine = set(who["organisations"])
        found = [
            s
            for s in every_submission(client, limit, status=status, sort="newest")
            if s["publisher"] in mine
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        which = f" {status}" if status else ""
        orgs = ", ".join(sorted(mine)) or "no organisation"
        click.echo(f"No{which} submissions of {orgs}.")
        return
    table = Table(title_justify="left", expand=False)
    for column in ("ID", "Pack", "Status", "Submitted", "Reason"):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(
            str(s["id"]),
            pack_of(s),
            s["status"],
            f"{age(s['submitted_at'])} ago",
            _reason(s),
        )
    Console().print(table)


def _reason(sub: dict) -> str:
    # The reviewer's reason for a rejection; an approval's note, when there is one.
    if sub.get("reason"):
        return sub["reason"]
    notes = [r["note"] for r in sub.get("reviews", []) if r.get("note")]
    return notes[-1] if notes else ""
