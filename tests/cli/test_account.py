"""`cmsreg login`, `logout`, `whoami`, and how the client reports a registry's answers."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest
from click.testing import CliRunner

from cli import exits
from cli.client import RegistryClient
from cli.config import Target
from cli.main import COMMANDS, cli
from cli.session import Obj
from tests.cli.conftest import REGISTRY


def test_login_saves_token_readable_only_by_the_user(cmsreg, accounts, cli_config):
    token = accounts.token("ana", "essex", ("publish",))
    done = cmsreg("login", "--registry", REGISTRY, registry=None, input=token + "\n")
    assert done.exit_code == 0, done.output
    assert "as ana" in done.output and "publishes for: essex" in done.output
    assert token not in done.output
    assert stat.S_IMODE(os.stat(cli_config).st_mode) == 0o600
    saved = json.loads(cli_config.read_text())
    assert saved["default"] == "registry.test"
    assert saved["registries"]["registry.test"] == {"url": REGISTRY, "token": token}
    # Later commands need no flag and no environment.
    who = cmsreg("whoami", "--json", registry=None)
    assert who.exit_code == 0, who.output
    assert json.loads(who.output)["username"] == "ana"
    assert token not in who.output


def test_login_with_a_bad_token_saves_nothing(cmsreg, cli_config):
    done = cmsreg("login", "--registry", REGISTRY, registry=None, input="cmsreg_nonsense\n")
    assert done.exit_code == exits.AUTH
    assert "refused the token" in done.output and "nothing was saved" in done.output
    assert "cmsreg_nonsense" not in done.output
    assert not cli_config.exists()


def test_several_registries_by_name(cmsreg, accounts, cli_config):
    ana = accounts.token("ana", "essex", ("publish",))
    mod = accounts.token("mo", scopes=("moderate",), moderates=("access-group",))
    assert (
        cmsreg("login", "-r", REGISTRY, "--name", "live", registry=None, input=ana).exit_code == 0
    )
    assert (
        cmsreg(
            "login", "-r", REGISTRY + "/", "--name", "review", registry=None, input=mod
        ).exit_code
        == 0
    )
    assert json.loads(cli_config.read_text())["default"] == "live"
    assert "ana at" in cmsreg("whoami", registry=None).output
    review = cmsreg("whoami", "--registry", "review", registry=None)
    assert "mo at" in review.output and "moderates: access-group" in review.output
    # CMSREG_TOKEN wins over the saved token.
    assert "mo at" in cmsreg("whoami", registry=None, token=mod).output
    unknown = cmsreg("whoami", "--registry", "staging", registry=None)
    assert unknown.exit_code == exits.USAGE and "live, review" in unknown.output


def test_logout_forgets_the_token(cmsreg, accounts, cli_config):
    token = accounts.token("ana", "essex", ("publish",))
    cmsreg("login", "-r", REGISTRY, registry=None, input=token)
    out = cmsreg("logout", registry=None)
    assert out.exit_code == 0 and "Signed out of registry.test" in out.output
    assert token not in cli_config.read_text()
    who = cmsreg("whoami", registry=None)
    assert who.exit_code == exits.AUTH and "cmsreg login" in who.output


def test_no_registry_chosen_is_a_usage_error(cmsreg):
    out = cmsreg("whoami", registry=None, token="cmsreg_x")
    assert out.exit_code == exits.USAGE
    assert "cmsreg login --registry URL" in out.output


def test_revoked_token_exit_4_with_the_servers_message(cmsreg, accounts, reg):
    from registry.services import accounts as service

    token = accounts.token("ana", "essex", ("publish",))
    service.revoke_token(reg, token)
    out = cmsreg("whoami", token=token)
    assert out.exit_code == exits.AUTH
    assert "token" in out.output.lower() and token not in out.output


def test_whoami_api(client, accounts):
    token = accounts.token("mo", "essex", ("publish", "moderate"), moderates=("system-c",))
    answer = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json == {
        "username": "mo",
        "scopes": ["moderate", "publish"],
        "organisations": ["essex"],
        "suppliers": ["system-c"],
        "admin": False,
    }
    assert client.get("/api/v1/whoami").status_code == 401


# -- the client's handling of what comes back -----------------------------------------------


def _client(handler, **kw) -> RegistryClient:
    return RegistryClient(
        Target("t", "http://t.test", "cmsreg_secret"),
        transport=httpx.MockTransport(handler),
        backoff=0,
        **kw,
    )


def test_not_a_registry_is_named():
    client = _client(
        lambda r: httpx.Response(
            404, text="<html>Not Found</html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(Exception) as caught:
        client.get("/api/v1/whoami")
    assert caught.value.exit_code == exits.REGISTRY
    assert "not as a cmsreg registry does" in caught.value.message


def test_gets_are_retried_posts_never():
    calls = []

    def flaky(request):
        calls.append(request.method)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"ok": True})

    assert _client(flaky).get("/x") == {"ok": True}
    assert calls == ["GET"] * 3
    calls.clear()
    with pytest.raises(Exception) as caught:
        _client(flaky).post("/x", {})
    assert calls == ["POST"] and caught.value.exit_code == exits.REGISTRY
    assert "Cannot connect" in caught.value.message


def test_timeouts_and_tls_say_what_to_do():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(Exception) as caught:
        _client(slow, retries=0).get("/x")
    assert "CMSREG_TIMEOUT" in caught.value.message

    def bad_cert(request):
        raise httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", request=request
        )

    calls = []

    def counted(request):
        calls.append(1)
        return bad_cert(request)

    with pytest.raises(Exception) as caught:
        _client(counted).get("/x")
    assert "SSL_CERT_FILE" in caught.value.message and len(calls) == 1  # not retried
    assert "cmsreg_secret" not in repr(_client(slow))


def test_field_errors_are_listed():
    body = {
        "code": 422,
        "status": "Unprocessable Entity",
        "message": "Fix the input.",
        "errors": {"json": {"reason": ["Missing data for required field."]}},
    }
    client = _client(lambda r: httpx.Response(422, json=body))
    with pytest.raises(Exception) as caught:
        client.post("/x", {})
    assert caught.value.exit_code == exits.INVALID
    assert caught.value.message == "Fix the input.\n  reason: Missing data for required field."


def test_help_lists_every_command_with_its_own_help():
    for name, (_, short) in COMMANDS.items():
        command = cli.get_command(None, name)
        assert command.help.split("\n")[0].strip() == short, name
    out = CliRunner().invoke(cli, ["--help"], obj=Obj())
    assert out.exit_code == 0
    assert all(name in out.output for name in COMMANDS)


def test_help_imports_no_command_module():
    import subprocess
    import sys

    code = "import sys; from cli.main import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.startswith(('registry', 'httpx', 'rich', 'cli.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1]
    assert loaded == "['cli.config', 'cli.exits', 'cli.main', 'cli.session']"


def test_shell_completion_completes_commands_and_subcommands():
    """The completion docs/cli.md documents works with commands imported only when used."""
    import subprocess
    import sys
    from pathlib import Path

    cmsreg = str(Path(sys.executable).with_name("cmsreg"))

    def complete(words: str, index: int) -> str:
        env = {**os.environ, "_CMSREG_COMPLETE": "bash_complete", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(index)
        return subprocess.run([cmsreg], env=env, capture_output=True, text=True).stdout

    assert complete("cmsreg rev", 1).split() == ["plain,review"]
    assert complete("cmsreg review ap", 2).split() == ["plain,approve"]
    assert "plain,publish" in complete("cmsreg pu", 1).split()
