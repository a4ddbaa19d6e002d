"""Drive `cmsreg` through click's CliRunner against the real app in-process (httpx's WSGI transport)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from cli.session import Obj

REGISTRY = "http://registry.test"  # the in-process app answers whatever the host


@pytest.fixture
def cli_config(tmp_path: Path) -> Path:
    """Where this test's `cmsreg login` keeps registries and tokens."""
    return tmp_path / "cli-config" / "config.json"


@pytest.fixture
def cmsreg(app, cli_config: Path) -> Callable[..., Result]:
    """Run `cmsreg ARGS…` against the app; token= and registry= set CMSREG_TOKEN/CMSREG_REGISTRY."""
    transport = httpx.WSGITransport(app=app)

    def run(
        *args: str,
        token: str | None = None,
        registry: str | None = REGISTRY,
        input: str | None = None,
        env: dict | None = None,
    ) -> Result:
        environment = {
            "CMSREG_CONFIG": str(cli_config),
            "CMSREG_REGISTRY": registry,
            "CMSREG_TOKEN": token,
            "CMSREG_BACKOFF": "0",
            "COLUMNS": "80",
            **(env or {}),
        }
        return CliRunner().invoke(
            cli, list(args), input=input, obj=Obj(transport=transport), env=environment
        )

    return run
