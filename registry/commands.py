"""cmsreg-server: the operator's commands. The instance folder comes from CMSREG_INSTANCE."""

from __future__ import annotations

import os
import sys

import click

from registry.errors import RegistryError
from registry.services.context import Registry


class _Ctx:
    """Opens the registry on first use and closes it at exit."""

    def __init__(self) -> None:
        self._reg: Registry | None = None

    @property
    def reg(self) -> Registry:
        if self._reg is None:
            self._reg = Registry.from_settings()
        return self._reg

    def close(self) -> None:
        if self._reg is not None:
            self._reg.close()


pass_ctx = click.make_pass_decorator(_Ctx, ensure=True)


def _bind_options(command):
    """--host and --port, shared by `run` and `serve`."""
    command = click.option(
        "--port",
        default=lambda: int(os.environ.get("PORT", 5000)),
        type=int,
        show_default="$PORT or 5000",
    )(command)
    return click.option("--host", default="127.0.0.1", show_default=True)(command)


class CommandError(click.ClickException):
    """A refusal from the registry, shown as `Error: <what to do>` with the fields at fault."""

    def __init__(self, exc: Exception):
        errors = getattr(exc, "errors", None)
        message = str(exc)
        if isinstance(errors, dict):
            message += " " + "; ".join(
                f"{field}: {', '.join(map(str, problems)) if isinstance(problems, list) else problems}"
                for field, problems in errors.items()
            )
        super().__init__(message)


class _Commands(click.Group):
    """Every command's refusals take one path: the registry's own errors become CommandError."""

    def invoke(self, ctx: click.Context):
        from registry.settings import SettingsError
        from registry.store.errors import StoreError

        try:
            return super().invoke(ctx)
        except (RegistryError, SettingsError, StoreError) as exc:
            raise CommandError(exc) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run a cmsreg registry. The instance folder is $CMSREG_INSTANCE (default ./instance)."""
    obj = ctx.ensure_object(_Ctx)
    ctx.call_on_close(obj.close)


@cli.command()
@pass_ctx
def init(ctx: _Ctx) -> None:
    """Create or upgrade the database, content repository and index (idempotent)."""
    ctx.reg.init()
    click.echo(f"Instance ready in {ctx.reg.settings['INSTANCE']}")


@cli.command()
@pass_ctx
def seed(ctx: _Ctx) -> None:
    """Publish and approve the example packs in content_repo/ (idempotent)."""
    from registry.services.seed import seed as run_seed

    ctx.reg.init()
    published, skipped = run_seed(ctx.reg, log=click.echo)
    click.echo(f"Seeded {published} pack version(s); {skipped} already present.")


@cli.command()
@_bind_options
def run(host: str, port: int) -> None:
    """Serve with the development server (one process; for trying the registry out)."""
    from registry import create_app

    create_app().run(host=host, port=port)


@cli.command()
@_bind_options
@click.option(
    "--workers",
    default=2,
    type=click.IntRange(2, 64),
    show_default=True,
    help="gunicorn worker processes (2 or more).",
)
@click.option(
    "--threads",
    default=8,
    type=click.IntRange(1, 256),
    show_default=True,
    help="Threads per worker: requests each worker serves at once.",
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve with gunicorn, the production WSGI server (threaded workers, read timeouts)."""
    from registry.settings import load_settings

    load_settings()  # refuse bad settings here, not in every worker as it boots
    args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}"]
    # registry/serving.py: threads with header and body read timeouts, and JSON errors.
    args += ["--worker-class", "registry.serving.RegistryWorker", "--threads", str(threads)]
    # gunicorn 27 opens a control socket in ~/.gunicorn shared by every server of the user;
    # two registries on one host would fight over it, and nothing here uses it.
    args += ["--access-logfile", "-", "--no-control-socket", "registry.wsgi:app"]
    os.execvp(sys.executable, args)  # noqa: S606 (become gunicorn; arguments are a list)


@cli.command()
@pass_ctx
def reindex(ctx: _Ctx) -> None:
    """Rebuild the search index from git and the database, then swap it in atomically."""
    from registry.services.reconcile import reindex as run_reindex

    count = run_reindex(ctx.reg)
    click.echo(f"Indexed {count} pack(s).")


@cli.command()
@click.option("--repair", is_flag=True, help="Mend every difference from git, the source of truth.")
@pass_ctx
def check(ctx: _Ctx, repair: bool) -> None:
    """Compare git, database and index; exit 0 only when they agree."""
    from registry.services.reconcile import check as run_check

    problems = run_check(ctx.reg, repair=repair)
    for p in problems:
        click.echo(("repaired: " if repair else "") + p)
    if problems and not repair:
        click.echo(
            f"{len(problems)} difference(s); run `cmsreg-server check --repair` to mend them from git.",
            err=True,
        )
        sys.exit(1)
    if problems:  # repaired: look again from scratch
        remaining = run_check(ctx.reg, repair=False)
        for p in remaining:
            click.echo(f"still different: {p}", err=True)
        if remaining:
            sys.exit(1)
    click.echo("git, database and index agree.")


@cli.command()
@pass_ctx
def gc(ctx: _Ctx) -> None:
    """Prune withdrawn, rejected and repaired-away content from the store, now."""
    from registry.services.maintenance import collect_garbage

    done = collect_garbage(ctx.reg)
    click.echo(
        f"Content repository: {_mb(done.size_before)} before, {_mb(done.size_after)} after; "
        f"{done.archives_removed} cached archive file(s) removed."
    )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@cli.command("create-org")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option(
    "--la-type",
    "la_type",
    required=True,
    help="county, unitary, metropolitan-borough, london-borough, childrens-trust, user-group, supplier or other.",
)
@click.option("--gss-code", default=None, help="ONS GSS code, for councils (e.g. E10000015).")
@click.option("--dfe-number", default=None, help="Three-digit DfE LA number, for councils.")
@click.option(
    "--exist-ok",
    is_flag=True,
    help="Succeed without changing anything when it exists already (for scripts run twice).",
)
@pass_ctx
def create_org(
    ctx: _Ctx,
    slug: str,
    name: str,
    la_type: str,
    gss_code: str | None,
    dfe_number: str | None,
    exist_ok: bool,
) -> None:
    """Create a publishing organisation."""
    from registry.errors import Conflict
    from registry.services import accounts

    try:
        accounts.create_org(ctx.reg, slug, name, la_type, gss_code, dfe_number)
    except Conflict:
        if not exist_ok:
            raise
        click.echo(f"Organisation {slug} exists already; left as it is.")
        return
    click.echo(f"Created organisation {slug}.")


@cli.command("create-user")
@click.argument("username")
@click.option("--org", "org", default=None, help="Slug of the organisation the user publishes for.")
@click.option(
    "--email", default=None, help="E-mail address, to sign in with instead of the username."
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read a password for the web pages from the first line of standard input.",
)
@click.option(
    "--admin",
    "org_admin",
    is_flag=True,
    help="An admin of --org: may invite colleagues to it from the web pages.",
)
@click.option(
    "--exist-ok",
    is_flag=True,
    help="Succeed without changing anything when it exists already (for scripts run twice).",
)
@pass_ctx
def create_user(
    ctx: _Ctx,
    username: str,
    org: str | None,
    email: str | None,
    password_stdin: bool,
    org_admin: bool,
    exist_ok: bool,
) -> None:
    """Create a user, a member of an organisation; with a password, they can sign in on the web."""
    from registry.errors import Conflict
    from registry.services import accounts

    password = None
    if password_stdin:
        # One line, without its line ending: `printf '%s\n' "$PW" | cmsreg-server create-user …`.
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        accounts.create_user(
            ctx.reg, username, org, email=email, password=password, org_admin=org_admin
        )
    except Conflict as exc:
        if not exist_ok or "e-mail" in exc.message:  # another user with that address is no match
            raise
        click.echo(f"User {username} exists already; left as it is.")
        return
    role = "an admin of " if org_admin else ""
    click.echo(f"Created user {username}" + (f" in {role}{org}." if org else "."))


@cli.command("set-moderator")
@click.argument("username")
@click.argument("supplier")
@pass_ctx
def set_moderator(ctx: _Ctx, username: str, supplier: str) -> None:
    """Let USERNAME moderate the packs of SUPPLIER (e.g. system-c)."""
    from registry.services import accounts

    accounts.set_moderator(ctx.reg, username, supplier)
    click.echo(f"{username} now moderates {supplier} packs.")


@cli.command("create-token")
@click.argument("username")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["publish", "moderate", "admin"]),
    help="Repeat for several scopes.",
)
@pass_ctx
def create_token(ctx: _Ctx, username: str, scopes: tuple[str, ...]) -> None:
    """Create an API token; it is shown once, alone on the last line."""
    from registry.services import accounts

    token = accounts.create_token(ctx.reg, username, list(scopes))
    click.echo(
        f"Token for {username} with scope(s) {', '.join(scopes)}. Store it now: it is not shown again."
    )
    click.echo(token)


@cli.command("revoke-token")
@click.argument("token")
@pass_ctx
def revoke_token(ctx: _Ctx, token: str) -> None:
    """Revoke a token; requests with it answer 401 from now on."""
    from registry.services import accounts

    accounts.revoke_token(ctx.reg, token)
    click.echo("Token revoked.")
