"""The `cmsreg` command: offline pack tools and the registry client, imported only when used.

`cmsreg --help` must answer at once, so each command's module is imported when that command runs;
the one-line help shown in the list is kept here (a test checks it matches the command's own).
"""

from __future__ import annotations

import importlib

import click

from cli.session import Obj

# name: (module:attribute, one-line help as the command's docstring starts)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "cli.scaffold:init",
        "Scaffold a new pack: cmspack.yaml, README.md, config/ and docs/.",
    ),
    "validate": (
        "cli.offline:validate",
        "Check a pack folder, .zip or .tar.gz exactly as the registry will.",
    ),
    "build": (
        "cli.offline:build",
        "Validate a pack folder and build a reproducible archive; print its path and SHA-256.",
    ),
    "publish": (
        "cli.publishing:publish",
        "Validate a pack folder or archive, upload it for review, and say who will review it.",
    ),
    "login": (
        "cli.account:login",
        "Check an API token against a registry and save both for later commands.",
    ),
    "logout": (
        "cli.account:logout",
        "Forget the saved token of a registry (the registry's address is kept).",
    ),
    "whoami": ("cli.account:whoami", "Show which registry you use and who its token belongs to."),
    "search": (
        "cli.finding:search",
        "Search the registry's approved packs by words and filters, with counts per filter.",
    ),
    "show": (
        "cli.finding:show",
        "Show a pack and its versions, or with @VERSION its files, checksums and dependencies.",
    ),
    "yank": (
        "cli.submissions:yank",
        "Yank an approved version: councils see why, `latest` and search leave it out.",
    ),
    "unyank": ("cli.submissions:unyank", "Undo a yank: the version is current again."),
    "withdraw": (
        "cli.submissions:withdraw",
        "Withdraw a pending or rejected submission of your organisation.",
    ),
    "submissions": (
        "cli.submissions:submissions",
        "List your organisation's submissions, newest first, with status and the reviewer's reason.",
    ),
    "review": (
        "cli.review:review",
        "Moderate submissions: list the queue, show one, open its files, approve or reject.",
    ),
    "download": (
        "cli.downloading:download",
        "Download a version and check the SHA-256 the registry advertises; --extract unpacks it.",
    ),
    "diff": (
        "cli.finding:diff",
        "Compare two versions of a pack as a unified diff, coloured on a terminal.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is run or asked for help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return super().get_command(ctx, name)
        module, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list of commands from COMMANDS, so that --help imports none of them.
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cmsreg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Share social care case management configuration packs through a cmsreg registry.

    Registry commands use --registry NAME|URL, else CMSREG_REGISTRY, else the registry saved by
    `cmsreg login`; the token comes from CMSREG_TOKEN, else the one saved for that registry.
    Exit codes: 0 done, 1 not valid, 2 usage, 3 registry or network error, 4 sign-in or permission.
    """
    ctx.ensure_object(Obj)
