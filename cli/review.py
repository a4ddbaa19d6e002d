"""`cmsreg review`: a moderator's queue, one submission with its checks and diff, its files, and
the decision.

Exit codes as every command: 0 done; 1 the registry refused the decision as it stands (a warning
not acknowledged, a blocking finding, a blank reason: its 422); 2 usage (a missing --reason, a
file that would be overwritten without --force); 3 the registry could not be reached or refused
(an unknown id, a submission no longer pending: 404, 409, 410); 4 not signed in or not allowed
(403: your own organisation's submission, another supplier's).
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import click

from cli.client import AuthError, InvalidError, RegistryClient, print_json
from cli.refs import PackRef, SubmissionRef
from cli.refs import submission_id as resolve
from cli.session import json_option, open_client, registry_option
from cli.submissions import age, day, every_submission, pack_of

SUBMISSIONS = "/api/v1/submissions"
STATUSES = ["pending", "approving", "approved", "rejected", "withdrawn"]


def _console():
    from rich.console import Console

    return Console()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # not reached


def warnings_of(sub: dict) -> list[dict]:
    """What a moderator must acknowledge to approve: warning findings, then flags."""
    checks = sub.get("checks") or {}
    found = [f for f in checks.get("findings", []) if f.get("severity") == "warn"]
    return found + list(checks.get("flags", []))


@click.group()
def review() -> None:
    """Moderate submissions: list the queue, show one, open its files, approve or reject.

    \b
    Exit codes:
      0  done
      1  the registry refused the decision as it stands: a warning not acknowledged, a
         blocking finding, a blank reason (its message says which)
      2  usage: a missing --reason, files that would be overwritten without --force
      3  unknown id, or a submission no longer pending or whose files are gone
      4  not signed in, or not allowed: your own organisation's submission
    """


@review.command("list")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default="pending",
    show_default=True,
    help="Submissions in this state.",
)
@click.option("--supplier", help="Only this supplier's submissions (e.g. system-c).")
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(min=1), help="At most this many."
)
@registry_option
@json_option
def list_(
    status: str, supplier: str | None, limit: int, registry: str | None, as_json: bool
) -> None:
    """The submissions you moderate, oldest first, with their age."""
    from rich.table import Table

    with open_client(registry, signed_in=True) as client:
        who = client.get("/api/v1/whoami")
        if "moderate" not in who["scopes"]:
            raise AuthError(
                "The review queue needs a token with the `moderate` scope; this one has "
                f"{', '.join(who['scopes']) or 'none'}. Make one on your account page."
            )
        found = every_submission(client, limit, status=status, supplier=supplier, sort="oldest")
    if not who.get("admin"):  # your own organisation's submissions are not yours to review
        found = [s for s in found if s["supplier"] in who["suppliers"]]
    if as_json:
        print_json(found)
        return
    if not found:
        which = f" for {supplier}" if supplier else ""
        click.echo(f"No {status} submissions{which}.")
        return
    table = Table(title=f"{len(found)} {status}, oldest first", title_justify="left")
    for column in ("ID", "Pack", "Supplier", "By", "Age", "Warnings"):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(
            str(s["id"]),
            pack_of(s),
            s["supplier"],
            s["submitted_by"],
            age(s["submitted_at"]),
            str(len(warnings_of(s))),
        )
    _console().print(table)


@review.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@click.option("--no-diff", is_flag=True, help="List changed files without their unified diffs.")
@registry_option
@json_option
def show(submission_id: int | PackRef, no_diff: bool, registry: str | None, as_json: bool) -> None:
    """Show a submission: checks, findings, warnings, diff.

    The manifest, the checks, every finding masked with its file:line, the warnings to
    acknowledge by id (F1 …, supplier-change), and the diff against the previous approved
    version.
    """
    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        sub = client.get(f"{SUBMISSIONS}/{submission_id}")
    if as_json:
        print_json(sub)
        return
    for line in describe(sub, diffs=not no_diff):
        click.echo(line)


def describe(sub: dict, diffs: bool = True) -> list[str]:
    """A submission as plain lines: header, manifest, checks, findings, warnings, diff."""
    m = sub.get("manifest") or {}
    checks = sub.get("checks") or {}
    lines = [
        f"Submission {sub['id']}: {pack_of(sub)} — {sub['status']}",
        f"Supplier {sub['supplier']}; submitted by {sub['submitted_by']} on "
        f"{day(sub['submitted_at'])} ({age(sub['submitted_at'])} ago)",
    ]
    if sub.get("reason"):
        lines.append(f"Reason: {sub['reason']}")
    lines += ["", f"{m.get('title', '')}", f"  {m.get('summary', '')}"]
    products = ", ".join(
        f"{p.get('id')} {p.get('versions', '')}".strip() for p in m.get("products", [])
    )
    for label, value in (
        ("Licence", m.get("licence")),
        ("Products", products),
        ("Service areas", ", ".join(m.get("service_areas", []))),
        ("Practice models", ", ".join(m.get("practice_models", []))),
        ("Structures", ", ".join(m.get("organisation_structures", []))),
        ("Kinds", ", ".join(m.get("kinds", []))),
        ("Depends", ", ".join(f"{k} {v}" for k, v in (m.get("depends") or {}).items())),
    ):
        if value:
            lines.append(f"  {label}: {value}")
    findings = checks.get("findings", [])
    lines += [
        "",
        f"Checks: {checks.get('files', 0)} files, {_size(checks.get('size', 0))}; "
        f"{len(findings)} finding(s), {len(checks.get('notices', []))} notice(s)",
    ]
    for n in checks.get("notices", []):
        lines.append(f"  notice {n.get('where', '')}: {n.get('message', '')}")
    if findings:
        lines += ["", "Possible personal data (values masked):"]
        for f in findings:
            lines.append(
                f"  {f['id']} {f['severity']:5} {_where(f)}  {f['rule']}  {f.get('masked') or ''}"
            )
            lines.append(f"     {f['message']}")
    warnings = warnings_of(sub)
    if warnings and sub["status"] == "pending":
        lines += ["", "To acknowledge before approving:"]
        for w in warnings:
            if w.get("file"):  # a finding, described above
                lines.append(f"  {w['id']}: {w.get('rule', '')} in {_where(w)}")
            else:
                lines.append(f"  {w['id']}: {w['message']}")
        ids = ",".join(w["id"] for w in warnings)
        lines.append(
            f"  Once checked: cmsreg review approve {sub['id']} --acknowledge {ids}"
            " (open the files with `cmsreg review get`)"
        )
    for r in sub.get("reviews", []):
        note = f": {r['note']}" if r.get("note") else ""
        lines.append(f"Review: {r['decision']} by {r['moderator']} on {day(r['created_at'])}{note}")
    diff = sub.get("diff")
    if diff is not None:
        lines += ["", *_diff_lines(diff, diffs)]
    return lines


def _where(finding: dict) -> str:
    # file:line, or the file alone for a finding about a whole file
    line = finding.get("line")
    return f"{finding['file']}:{line}" if line else finding["file"]


def _diff_lines(diff: dict, with_text: bool) -> list[str]:
    before = diff.get("from_version")
    lines = [
        f"Diff against the approved {before}:"
        if before
        else "No approved version before this one: every file is new."
    ]
    for kind, mark in (("added", "+"), ("removed", "-"), ("changed", "~")):
        for change in diff.get(kind, []):
            size = change.get("new_size") if kind != "removed" else change.get("old_size")
            note = f" — {change['note']}" if change.get("note") else ""
            lines.append(f"  {mark} {change['path']} ({_size(size or 0)}){note}")
    if not (diff.get("added") or diff.get("removed") or diff.get("changed")):
        lines.append("  The files are the same.")
    if with_text:
        for change in diff.get("changed", []):
            if change.get("diff"):
                lines += ["", change["diff"].rstrip("\n")]
    if diff.get("truncated"):
        lines.append("(Some diffs were left out to keep the answer small: open the files.)")
    return lines


@review.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@registry_option
@json_option
def files(submission_id: int | PackRef, registry: str | None, as_json: bool) -> None:
    """List a submission's files with their type, size and SHA-256."""
    from rich.table import Table

    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        found = client.get(f"{SUBMISSIONS}/{submission_id}/files")
    if as_json:
        print_json(found)
        return
    table = Table(title=f"Submission {submission_id}: {len(found)} files", title_justify="left")
    for column in ("Path", "Type", "Size", "SHA-256"):
        table.add_column(column, overflow="fold")
    for f in found:
        table.add_row(f["path"], f["type"], _size(f["size"]), f["sha256"][:12])
    _console().print(table)


def safe_target(root: Path, path: str) -> Path:
    """Where a submission's file goes under root; never outside it, whatever the path says."""
    pure = PurePosixPath(path)
    if (
        not path
        or "\\" in path
        or "\0" in path
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise click.ClickException(f"The registry sent a file path that is not safe: {path!r}.")
    target = root.joinpath(*pure.parts)
    resolved = target.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise click.ClickException(f"{path} would be written outside {root}: nothing was written.")
    return target


@review.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the files into (default: submission-ID here).",
)
@click.option("--force", is_flag=True, help="Overwrite files that are already there.")
@registry_option
@json_option
def get(
    submission_id: int | PackRef,
    output: Path | None,
    force: bool,
    registry: str | None,
    as_json: bool,
) -> None:
    """Save every file of a submission, DOCX and XLSX too, in a folder.

    The files are checked against the SHA-256 the registry lists and written under the folder
    only (default: submission-ID here); a file already there stops it unless --force is given.
    """
    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        root = output or Path(f"submission-{submission_id}")
        if root.exists() and not root.is_dir():
            raise click.UsageError(f"{root} is a file: choose a folder with -o.")
        listed = client.get(f"{SUBMISSIONS}/{submission_id}/files")
        targets = {f["path"]: safe_target(root, f["path"]) for f in listed}
        there = [p for p, t in targets.items() if t.exists() or t.is_symlink()]
        if there and not force:
            raise click.UsageError(
                f"{len(there)} file(s) are already in {root}, e.g. {there[0]}: add --force to "
                "overwrite them, or choose another folder with -o."
            )
        data = _download(client, f"{SUBMISSIONS}/{submission_id}/download")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        content = {f["path"]: zf.read(f["path"]) for f in listed}
    for f in listed:
        if hashlib.sha256(content[f["path"]]).hexdigest() != f["sha256"]:
            raise click.ClickException(
                f"{f['path']} arrived with another SHA-256 than the registry lists: nothing was "
                "written; try again."
            )
    for path, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        safe_target(root, path)  # again, now that the folders exist
        if target.is_symlink():
            target.unlink()
        target.write_bytes(content[path])
    if as_json:
        print_json({"directory": str(root), "files": listed})
        return
    click.echo(f"Wrote {len(listed)} files of submission {submission_id} to {root}/")
    for f in listed:
        click.echo(f"  {f['path']} ({f['type']}, {_size(f['size'])})")


def _download(client: RegistryClient, path: str) -> bytes:
    """The body of a download, with a progress bar when someone is watching."""
    from rich.console import Console
    from rich.progress import Progress

    chunks: list[bytes] = []
    with client.stream("GET", path) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        watching = sys.stderr.isatty()
        with Progress(
            console=Console(stderr=True), transient=True, disable=not watching
        ) as progress:
            task = progress.add_task("Downloading", total=total)
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                progress.advance(task, len(chunk))
    return b"".join(chunks)


def _next_step(submission_id: int, body: Any) -> str:
    """What to run once the warnings the registry named have been checked."""
    show = f"`cmsreg review show {submission_id}` lists them"
    errors = body.get("errors") if isinstance(body, dict) else None
    said = (errors or {}).get("acknowledge") if isinstance(errors, dict) else None
    prefix = "not acknowledged: "
    if isinstance(said, list) and said and str(said[0]).startswith(prefix):
        ids = str(said[0])[len(prefix) :].replace(" ", "")
        return f"Once checked: cmsreg review approve {submission_id} --acknowledge {ids} ({show})."
    return f"{show[0].upper()}{show[1:]}."


def _acknowledgements(values: tuple[str, ...]) -> list[str]:
    return [a.strip() for v in values for a in v.split(",") if a.strip()]


@review.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@click.option("--note", help="A note for the record and the publisher (optional).")
@click.option(
    "--acknowledge",
    "-a",
    multiple=True,
    metavar="F1,F2",
    help="Warnings you have checked, by id (F1, supplier-change …); comma-separated or repeated.",
)
@click.option(
    "--acknowledge-all",
    is_flag=True,
    help="Acknowledge every warning the registry lists for this submission.",
)
@registry_option
@json_option
def approve(
    submission_id: int | PackRef,
    note: str | None,
    acknowledge: tuple[str, ...],
    acknowledge_all: bool,
    registry: str | None,
    as_json: bool,
) -> None:
    """Approve a pending submission; every warning must be acknowledged.

    A warning left unacknowledged, or a blocking finding, is refused by the registry: its
    message says which, and the command exits 1. Your own organisation's submission, or
    another supplier's, exits 4; one that is no longer pending exits 3.
    """
    if acknowledge and acknowledge_all:
        raise click.UsageError("Give --acknowledge or --acknowledge-all, not both.")
    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        ids = _acknowledgements(acknowledge)
        if acknowledge_all:
            sub = client.get(f"{SUBMISSIONS}/{submission_id}")
            ids = [w["id"] for w in warnings_of(sub)]
        try:
            done = client.post(
                f"{SUBMISSIONS}/{submission_id}/approve", {"note": note, "acknowledge": ids}
            )
        except InvalidError as exc:
            raise InvalidError(
                f"{exc.message}\n{_next_step(submission_id, exc.body)}",
                status=exc.status,
                body=exc.body,
            ) from None
    if as_json:
        print_json(done)
        return
    acked = f"; acknowledged {', '.join(ids)}" if ids else ""
    click.echo(f"Approved {pack_of(done)} (submission {submission_id}): it is public now{acked}.")


@review.command()
@click.argument("submission_id", metavar="ID|PUBLISHER/NAME@VERSION", type=SubmissionRef())
@click.option(
    "--reason", required=True, help="What the publisher must change (required; they see it)."
)
@registry_option
@json_option
def reject(submission_id: int | PackRef, reason: str, registry: str | None, as_json: bool) -> None:
    """Reject a pending submission with a reason.

    The publisher sees the reason: say what to change. The submission's files leave the registry.
    """
    with open_client(registry, signed_in=True) as client:
        submission_id = resolve(client, submission_id)
        done = client.post(f"{SUBMISSIONS}/{submission_id}/reject", {"reason": reason})
    if as_json:
        print_json(done)
        return
    click.echo(
        f"Rejected {pack_of(done)} (submission {submission_id}); the publisher sees your reason."
    )
