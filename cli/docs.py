"""Write docs/cli.md from the commands themselves: `python -m cli.docs [FILE]`.

A test compares the file with what this renders, so the reference cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.main import cli

INTRO = """# The `cmsreg` command

`cmsreg` is the contributor's, administrator's and moderator's tool. `init`, `validate` and
`build` work offline and run exactly the checks the registry runs on upload; every other command
talks to a registry over its HTTP API.

This file is generated from the commands (`python -m cli.docs`); `cmsreg COMMAND --help` shows
the same text.

## Which registry, and who you are

`cmsreg login --registry URL` asks for an API token (make one on your account page, or ask the
operator: `cmsreg-server create-token`), checks it with the registry and saves both in
`config.json` in your user config folder (on Linux `~/.config/cmsreg/`), readable only by you.
Save several registries with `--name`, and pick one with `--registry NAME`. For scripts and CI,
`CMSREG_REGISTRY` (a name or URL) and `CMSREG_TOKEN` override the saved values, and
`CMSREG_CONFIG` points at another config file. The token is sent only in the `Authorization`
header and never printed.

GETs are retried with backoff when the connection fails (`CMSREG_RETRIES`, default 3);
uploads and decisions are never retried. `CMSREG_TIMEOUT` (seconds, default 60) bounds each
request.

## Exit codes

| Code | Meaning |
| ---- | ------- |
| 0 | Done. |
| 1 | The pack is not valid, or personal-data findings block it (offline or refused by the registry with 422). |
| 2 | Usage error: a wrong option or argument, or no registry chosen. |
| 3 | The registry could not be reached or answered with an error (not found, conflict, server error). |
| 4 | Not signed in, a bad or revoked token, or not allowed. |

## Shell completion

```sh
eval "$(_CMSREG_COMPLETE=bash_source cmsreg)"   # bash: add to ~/.bashrc
eval "$(_CMSREG_COMPLETE=zsh_source cmsreg)"    # zsh: add to ~/.zshrc
_CMSREG_COMPLETE=fish_source cmsreg | source    # fish
```

## Commands
"""


def _walk(command: click.Command, path: list[str], parent: click.Context | None):
    ctx = click.Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=80,
        max_content_width=80,
        **command.context_settings,
    )
    yield path, command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), [*path, name], ctx)


def render() -> str:
    """docs/cli.md as the commands describe themselves."""
    parts = [INTRO]
    for path, command, ctx in _walk(cli, ["cmsreg"], None):
        if len(path) == 1:
            continue  # the group's own help is the introduction above
        parts.append(f"\n### `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    return "".join(parts)


def main(argv: list[str]) -> None:
    """Write the reference to argv[0] (default docs/cli.md)."""
    target = Path(argv[0] if argv else "docs/cli.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
