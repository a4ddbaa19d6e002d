"""Docs that cannot drift: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

from cli.main import cli as client_cli
from registry.commands import cli as server_cli
from registry.settings import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented_with_its_default():
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`CMSREG_{s.name}`" in text, f"CMSREG_{s.name} is missing from docs/operations.md"
        assert s.help in text, f"the help of CMSREG_{s.name} changed: regenerate the settings table"


def test_every_server_command_is_documented():
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    for name in server_cli.commands:
        assert f"cmsreg-server {name}" in text, (
            f"cmsreg-server {name} is missing from docs/operations.md"
        )


def test_every_client_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in client_cli.commands:
        assert f"`cmsreg {name}" in text, f"cmsreg {name} is missing from docs/cli.md"


def test_cli_reference_is_generated_from_the_commands():
    """docs/cli.md is what `python -m cli.docs` writes; rerun it after changing a command."""
    from cli.docs import render

    path = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    assert path.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m cli.docs`"
    )
