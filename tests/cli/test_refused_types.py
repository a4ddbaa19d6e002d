"""`cmsreg validate` refuses the file types the registry refuses, by name and by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.cli.test_offline import INIT_FLAGS
from tests.hostile import DISGUISED, NEWLY_FORBIDDEN_EXTENSIONS


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["init", str(folder), *INIT_FLAGS])
    assert result.exit_code == 0, result.output
    return folder


def problems(folder: Path) -> list[dict]:
    result = CliRunner().invoke(cli, ["validate", str(folder), "--json"])
    assert result.exit_code == (1 if json.loads(result.stdout)["problems"] else 0)
    return json.loads(result.stdout)["problems"]


@pytest.mark.parametrize("extension", NEWLY_FORBIDDEN_EXTENSIONS)
def test_validate_refuses_the_type_by_name(demo: Path, extension: str) -> None:
    (demo / "docs" / f"tool{extension}").write_bytes(b"x")
    assert [(p["where"], p["code"]) for p in problems(demo)] == [
        (f"docs/tool{extension}", "forbidden-extension")
    ]


@pytest.mark.parametrize("case", ["pe-as-text", "shebang-as-sql", "xhtml-as-xml"])
def test_validate_refuses_a_program_or_page_whatever_its_name(demo: Path, case: str) -> None:
    name, data = DISGUISED[case]
    (demo / name).parent.mkdir(parents=True, exist_ok=True)
    (demo / name).write_bytes(data)
    [problem] = problems(demo)
    assert (problem["where"], problem["code"]) == (name, "forbidden-content")
    assert "Remove it" in problem["message"]
