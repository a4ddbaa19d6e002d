"""`cmsreg login`, `logout` and `whoami`: which registry, and who you are on it."""

from __future__ import annotations

import sys

import click

from cli import config
from cli.client import AuthError, RegistryClient, print_json
from cli.session import Obj, json_option, open_client, registry_option


def _read_token(token_stdin: bool) -> str:
    # A token typed at a prompt is hidden; piped in (`… | cmsreg login`), it is read from stdin.
    if token_stdin or not sys.stdin.isatty():
        token = sys.stdin.readline().strip()
    else:
        token = click.prompt(
            "API token (from your account page; not shown)", hide_input=True
        ).strip()
    if not token:
        raise click.UsageError("No token given: paste the cmsreg_… token from your account page.")
    return token


def _describe(who: dict) -> str:
    parts = [f"scopes: {', '.join(who['scopes']) or 'none'}"]
    if who["organisations"]:
        parts.append(f"publishes for: {', '.join(who['organisations'])}")
    if who["suppliers"]:
        parts.append(f"moderates: {', '.join(who['suppliers'])}")
    return "; ".join(parts)


@click.command()
@click.option(
    "--registry",
    "-r",
    "url",
    required=True,
    metavar="URL",
    help="The registry's address, e.g. https://cmsreg.example.gov.uk.",
)
@click.option("--name", help="A short name to pick this registry by later (default: its host).")
@click.option(
    "--token-stdin", is_flag=True, help="Read the token from standard input instead of a prompt."
)
@click.option(
    "--default/--no-default",
    "make_default",
    default=None,
    help="Make it the registry commands use when none is given (default: yes for the first one).",
)
@click.pass_context
def login(
    ctx: click.Context, url: str, name: str | None, token_stdin: bool, make_default: bool | None
) -> None:
    """Check an API token against a registry and save both for later commands."""
    url = config.normal_url(url)
    name = name or config.default_name(url)
    token = _read_token(token_stdin)
    obj = ctx.find_object(Obj)
    with RegistryClient(
        config.Target(name, url, token), transport=obj.transport if obj else None
    ) as client:
        try:
            who = client.get("/api/v1/whoami")
        except AuthError as exc:
            raise AuthError(
                f"{url} refused the token ({exc.message}); nothing was saved."
            ) from None
    path = config.config_path()
    data = config.load(path)
    data["registries"][name] = {"url": url, "token": token}
    if make_default or (make_default is None and not data.get("default")):
        data["default"] = name
    config.save(path, data)
    default = " (default)" if data["default"] == name else ""
    click.echo(f"Signed in to {name}{default} at {url} as {who['username']} — {_describe(who)}.")
    click.echo(f"Saved in {path} (readable only by you).")


@click.command()
@registry_option
@click.option(
    "--all", "everywhere", is_flag=True, help="Forget the tokens of every saved registry."
)
def logout(registry: str | None, everywhere: bool) -> None:
    """Forget the saved token of a registry (the registry's address is kept)."""
    path = config.config_path()
    data = config.load(path)
    names = list(data["registries"]) if everywhere else [config.resolve(registry, {}, data).name]
    forgotten = [n for n in names if data["registries"].get(n, {}).pop("token", None)]
    config.save(path, data)
    if forgotten:
        click.echo(
            f"Signed out of {', '.join(forgotten)}; the token itself stays valid until you revoke it on your account page."
        )
    else:
        click.echo("No saved token to forget.")


@click.command()
@registry_option
@json_option
def whoami(registry: str | None, as_json: bool) -> None:
    """Show which registry you use and who its token belongs to."""
    with open_client(registry, signed_in=True) as client:
        who = client.get("/api/v1/whoami")
        if as_json:
            print_json({**who, "registry": client.target.url})
            return
        click.echo(f"{who['username']} at {client.target.url} ({client.target.name})")
        click.echo(_describe(who))
