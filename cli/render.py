"""Readable terminal output of a validation report."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from registry.packs.validate import Report


def print_report(report: Report, console: Console) -> None:
    """Print problems, findings and notices, then a one-line verdict."""
    if report.problems:
        table = Table(
            title=f"Problems ({len(report.problems)})", title_justify="left", expand=False
        )
        table.add_column("Where", style="bold")
        table.add_column("What to fix")
        for p in report.problems:
            where = f"{p.where}:{p.line}" if p.line else p.where
            table.add_row(where, p.message)
        console.print(table)
    if report.findings:
        table = Table(
            title=f"Possible personal data ({len(report.findings)})", title_justify="left"
        )
        table.add_column("File:line", style="bold")
        table.add_column("Rule")
        table.add_column("Severity")
        table.add_column("Value (masked)")
        table.add_column("What to do")
        for f in report.findings:
            style = "red" if f.severity == "block" else "yellow"
            table.add_row(
                f"{f.file}:{f.line}", f.rule, f"[{style}]{f.severity}[/]", f.masked, f.message
            )
        console.print(table)
    for n in report.notices:
        console.print(f"[cyan]notice[/] {n.where}: {n.message}")
    name = ""
    if report.manifest and report.manifest.get("name"):
        name = f" {report.manifest.get('publisher')}/{report.manifest['name']} {report.manifest.get('version', '')}"
    if report.ok:
        extra = (
            f", {len(report.warnings)} warning(s) a moderator must acknowledge"
            if report.warnings
            else ""
        )
        console.print(f"[green]✔ valid[/]{name}: {len(report.files)} files{extra}")
    else:
        parts = []
        if report.problems:
            parts.append(f"{len(report.problems)} problem(s)")
        if report.blocking:
            parts.append(f"{len(report.blocking)} blocking personal-data finding(s)")
        console.print(f"[red]✘ not valid[/]{name}: {', '.join(parts)}")
