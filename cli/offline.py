"""The offline commands: validate and build run the registry's own checks, no network needed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from cli import exits
from cli.render import print_report
from registry.packs.build import build_tar_gz, build_zip
from registry.packs.validate import validate as validate_pack


@click.command()
@click.argument("source", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(source: Path, as_json: bool) -> None:
    """Check a pack folder, .zip or .tar.gz exactly as the registry will."""
    report = validate_pack(source)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        print_report(report, Console())
    sys.exit(exits.OK if report.ok else exits.INVALID)


@click.command()
@click.argument(
    "source", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the archive (.zip or .tar.gz). Default: NAME-VERSION.zip here.",
)
def build(source: Path, output: Path | None) -> None:
    """Validate a pack folder and build a reproducible archive; print its path and SHA-256."""
    report = validate_pack(source)
    console = Console(stderr=True)
    if not report.ok:
        print_report(report, console)
        console.print("Nothing was built: fix the problems above and run `cmsreg build` again.")
        sys.exit(exits.INVALID)
    manifest = report.manifest or {}
    if output is None:
        output = Path(f"{manifest['name']}-{manifest['version']}.zip")
    name = output.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        built = build_tar_gz(report.files)
    elif name.endswith(".zip"):
        built = build_zip(report.files)
    else:
        raise click.UsageError("--output must end in .zip or .tar.gz")
    output.write_bytes(built.data)
    if report.warnings:
        console.print(
            f"[yellow]{len(report.warnings)} warning(s)[/] a moderator must acknowledge; "
            "`cmsreg validate` lists them."
        )
    click.echo(str(output))
    click.echo(f"sha256:{built.sha256}")
