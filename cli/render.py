"""Readable terminal output of a validation report, at any width down to 80 columns.

Where a problem or finding is (file and line) is printed whole on a line of its own, never cut
or folded by a table column; what to do is wrapped below it. The advice for a personal-data rule
is the same for every finding of that rule, so it is printed once per rule, after the list.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from registry.packs.problems import Finding, Problem
from registry.packs.validate import Report

SEVERITY_STYLE = {"block": "red", "warn": "yellow"}


def _where(text: str, style: str = "bold") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ignore")


def _wrapped(text: str, indent: int, console: Console, bold: int = 0) -> Text:
    """Text wrapped to the console's width with a hanging indent; words (paths) never broken."""
    lines = textwrap.wrap(
        text,
        width=max(40, console.width - 1),
        initial_indent=" " * indent,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    out = Text("\n".join(lines))
    if bold:
        out.stylize("bold", indent, indent + bold)
    return out


def print_problems(problems: Iterable[Problem], console: Console) -> None:
    """Each problem's place on a line of its own, then what to fix, wrapped and indented."""
    problems = list(problems)
    if not problems:
        return
    console.print(f"[bold]Problems ({len(problems)})[/]")
    for p in problems:
        console.print(_where(f"  {p.where}:{p.line}" if p.line else f"  {p.where}"), soft_wrap=True)
        console.print(_wrapped(p.message, 4, console), soft_wrap=True)


def print_findings(findings: Iterable[Finding], console: Console, title: str | None = None) -> None:
    """One line per finding (severity, rule, file:line, masked value), then each rule's advice once."""
    findings = list(findings)
    if not findings:
        return
    console.print(f"[bold]{title or 'Possible personal data'} ({len(findings)})[/]")
    rule_width = max(len(f.rule) for f in findings)
    advice: dict[str, str] = {}
    for f in findings:
        line = Text("  ")
        line.append(f"{f.severity:<5}", style=SEVERITY_STYLE.get(f.severity, ""))
        line.append(f" {f.rule:<{rule_width}}  ")
        line.append(f"{f.file}:{f.line}", style="bold")
        line.append(f"  {f.masked}")
        console.print(line, soft_wrap=True, no_wrap=True, overflow="ignore")
        advice.setdefault(f.rule, f.message)
    console.print("[bold]What to do[/]")
    for rule, message in advice.items():
        console.print(_wrapped(f"{rule}: {message}", 2, console, bold=len(rule)), soft_wrap=True)


def print_report(report: Report, console: Console) -> None:
    """Print problems, findings and notices, then a one-line verdict."""
    print_problems(report.problems, console)
    print_findings(report.findings, console)
    for n in report.notices:
        console.print(f"[cyan]notice[/] {escape(n.where)}: {escape(n.message)}")
    name = ""
    if report.manifest and report.manifest.get("name"):
        name = f" {report.manifest.get('publisher')}/{report.manifest['name']} {report.manifest.get('version', '')}"
    name = escape(name)
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
