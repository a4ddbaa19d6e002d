"""cmsreg-server, driven as an operator would: set-up, seed, accounts, tokens, check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.commands import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str):
    """Invoke cmsreg-server against a fresh instance (on SQLite and PostgreSQL)."""
    monkeypatch.setenv("CMSREG_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("CMSREG_DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_init_is_idempotent(run, tmp_path: Path):
    run("init")
    run("init")
    assert (tmp_path / "instance" / "content.git" / "HEAD").is_file()


def test_seed_publishes_every_example_pack_once_and_check_agrees(run):
    first = run("seed")
    packs = sorted(Path(__file__).resolve().parent.parent.glob("content_repo/*/*/cmspack.yaml"))
    assert f"Seeded {len(packs)} pack version(s); 0 already present." in first.output
    # An earlier version lives in <name>@<version>/ beside the newest and is seeded too.
    earlier = [p.parent for p in packs if "@" in p.parent.name]
    assert len(earlier) >= 2
    for folder in earlier:
        name, version = folder.name.split("@")
        assert f"seeded {folder.parent.name}/{name} {version}" in first.output
    again = run("seed")
    assert f"Seeded 0 pack version(s); {len(packs)} already present." in again.output
    assert "agree" in run("check").output


def test_accounts_and_tokens(run):
    run("init")
    run(
        "create-org",
        "barnsley",
        "--name",
        "Barnsley Metropolitan Borough Council",
        "--la-type",
        "metropolitan-borough",
        "--gss-code",
        "E08000016",
        "--dfe-number",
        "370",
    )
    run("create-user", "sam", "--org", "barnsley")
    out = run("create-token", "sam", "--scope", "publish", "--scope", "moderate").output
    token = out.strip().splitlines()[-1]
    assert token.startswith("cmsreg_") and len(token) == 50
    run("set-moderator", "sam", "liquidlogic")  # an alias: stored as system-c
    run("revoke-token", token)
    assert "no such token" in run("revoke-token", "cmsreg_" + "x" * 43, code=1).output.lower()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["create-org", "Bad Slug", "--name", "X", "--la-type", "county"], "slug"),
        (["create-org", "x", "--name", "X", "--la-type", "parish"], "type"),
        (
            ["create-org", "x", "--name", "X", "--la-type", "county", "--gss-code", "W06000001"],
            "gss_code",
        ),
        (
            ["create-org", "x", "--name", "X", "--la-type", "county", "--dfe-number", "12"],
            "dfe_number",
        ),
        (["create-user", "sam", "--org", "nowhere"], "no organisation called nowhere"),
        (["set-moderator", "nobody", "system-c"], "no user called nobody"),
        (["create-token", "nobody", "--scope", "publish"], "no user called nobody"),
    ],
)
def test_bad_operator_input_says_what_to_fix(run, args, words):
    run("init")
    result = run(*args, code=1)
    assert words in result.output.lower()


def test_a_duplicate_organisation_is_refused(run):
    run("init")
    run("create-org", "leeds", "--name", "Leeds City Council", "--la-type", "metropolitan-borough")
    assert (
        "exists already"
        in run(
            "create-org", "leeds", "--name", "Leeds", "--la-type", "metropolitan-borough", code=1
        ).output
    )


def test_reindex_then_check(run):
    run("seed")
    assert "Indexed" in run("reindex").output
    assert run("check").exit_code == 0


def test_exist_ok_makes_account_commands_repeatable(tmp_path, monkeypatch):
    """`--exist-ok` lets a walkthrough script run twice; without it a second create is refused."""
    monkeypatch.setenv("CMSREG_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    org = ["create-org", "barnsley", "--name", "Barnsley", "--la-type", "metropolitan-borough"]
    assert runner.invoke(cli, org).exit_code == 0
    again = runner.invoke(cli, org)
    assert again.exit_code == 1 and "exists already" in again.output
    kept = runner.invoke(cli, [*org, "--exist-ok"])
    assert kept.exit_code == 0 and "left as it is" in kept.output
    user = ["create-user", "sam", "--org", "barnsley"]
    assert runner.invoke(cli, user).exit_code == 0
    assert runner.invoke(cli, user).exit_code == 1
    assert runner.invoke(cli, [*user, "--exist-ok"]).exit_code == 0
