"""The `cmsreg` command: offline pack tools now, registry client commands beside them."""

from __future__ import annotations

import click

from cli.offline import build, validate
from cli.scaffold import init


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cmsreg")
def cli() -> None:
    """Share social care case management configuration packs through a cmsreg registry."""


cli.add_command(init)
cli.add_command(validate)
cli.add_command(build)
