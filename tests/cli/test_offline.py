"""`cmsreg init`, `validate` and `build`, driven as a contributor would, offline."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from registry.packs.build import sha256_hex

INIT_FLAGS = [
    "--no-input",
    "--publisher", "hertfordshire",
    "--title", "MASH triage workflow",
    "--summary", "Contact and referral triage steps for a multi-agency safeguarding hub.",
    "--supplier", "liquidlogic",
    "--product", "lcs",
    "--service-area", "childrens-social-care",
    "--practice-model", "signs-of-safety",
    "--organisation-structure", "mash",
    "--kind", "workflow,rules-thresholds",
    "--keywords", "MASH, front door, triage",
    "--maintainer-name", "CSC Systems Team",
    "--maintainer-email", "csc-systems@example.gov.uk",
]  # fmt: skip


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def demo(tmp_path: Path, runner: CliRunner) -> Path:
    folder = tmp_path / "demo"
    result = runner.invoke(cli, ["init", str(folder), *INIT_FLAGS])
    assert result.exit_code == 0, result.output
    return folder


def test_init_validate_build_is_the_newcomer_path(demo: Path, runner: CliRunner, tmp_path: Path):
    assert sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file()) == [
        "README.md",
        "cmspack.yaml",
        "config/README.md",
        "docs/installation.md",
    ]
    result = runner.invoke(cli, ["validate", str(demo)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "hertfordshire/demo 0.1.0" in result.output
    out = tmp_path / "demo.zip"
    result = runner.invoke(cli, ["build", str(demo), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == str(out)
    assert lines[1] == "sha256:" + sha256_hex(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        assert "cmspack.yaml" in zf.namelist()


def test_init_accepts_aliases_and_stores_slugs(demo: Path):
    text = (demo / "cmspack.yaml").read_text()
    assert "supplier: system-c" in text
    assert "- rules-thresholds" in text


def test_init_prompts_for_each_field_and_reasks_until_valid(tmp_path: Path, runner: CliRunner):
    answers = [
        "Bad Name",  # not a slug: asked again
        "family-time-records",
        "leeds", "", "Family time records", "",  # publisher, version (default), title, summary (default)
        "", "acces-group", "access-group", "mosaic",  # licence, a wrong supplier then a right one, product
        "childrens-social-care", "restorative-practice", "", "form", "family time",
        "Leeds CSC Systems", "csc-systems@example.gov.uk",
    ]  # fmt: skip
    folder = tmp_path / "family-time"
    result = runner.invoke(cli, ["init", str(folder)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "use lower-case letters" in result.output
    assert "did you mean" in result.output.lower()
    assert runner.invoke(cli, ["validate", str(folder)]).exit_code == 0
    assert "supplier: access-group" in (folder / "cmspack.yaml").read_text()


def test_init_refuses_to_overwrite_a_manifest(demo: Path, runner: CliRunner):
    result = runner.invoke(cli, ["init", str(demo), *INIT_FLAGS])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_init_with_a_bad_flag_is_a_usage_error(tmp_path: Path, runner: CliRunner):
    result = runner.invoke(cli, ["init", str(tmp_path / "x"), "--no-input", "--supplier", "acme"])
    assert result.exit_code == 2
    assert "not a supplier" in result.output


def test_validate_json_reports_every_problem(demo: Path, runner: CliRunner):
    manifest = demo / "cmspack.yaml"
    manifest.write_text(
        manifest.read_text()
        .replace("version: 0.1.0", "version: one")
        .replace("supplier: system-c", "supplier: acme")
    )
    (demo / "README.md").unlink()
    result = runner.invoke(cli, ["validate", str(demo), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert sorted(p["where"] for p in report["problems"]) == ["README.md", "supplier", "version"]


def test_validate_blocks_an_nhs_number_and_never_prints_it(demo: Path, runner: CliRunner):
    (demo / "config" / "children.csv").write_text("code,description\nCP1,Child 943 476 5919 open\n")
    result = runner.invoke(cli, ["validate", str(demo)])
    assert result.exit_code == 1
    assert "nhs-number" in result.output
    assert "943 476 5919" not in result.output and "9434765919" not in result.output
    report = json.loads(runner.invoke(cli, ["validate", str(demo), "--json"]).stdout)
    assert [f["rule"] for f in report["findings"]] == ["nhs-number"]
    assert "5919" not in json.dumps(report["findings"]).replace("**19", "")


def test_warnings_alone_do_not_fail_validation(demo: Path, runner: CliRunner):
    (demo / "config" / "contacts.md").write_text(
        "Write to the MASH at mash-team@another-council.example.org\n"
    )
    result = runner.invoke(cli, ["validate", str(demo), "--json"])
    assert result.exit_code == 0
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["email"]


def test_validate_an_archive(demo: Path, runner: CliRunner, tmp_path: Path):
    out = tmp_path / "demo.tar.gz"
    assert runner.invoke(cli, ["build", str(demo), "-o", str(out)]).exit_code == 0
    assert runner.invoke(cli, ["validate", str(out)]).exit_code == 0


def test_build_is_reproducible(demo: Path, runner: CliRunner, tmp_path: Path):
    shas = set()
    for i in range(2):
        out = tmp_path / f"b{i}.zip"
        runner.invoke(cli, ["build", str(demo), "-o", str(out)])
        (demo / "README.md").touch()  # a newer mtime must not change the bytes
        shas.add(sha256_hex(out.read_bytes()))
    assert len(shas) == 1


def test_build_refuses_an_invalid_pack_and_writes_nothing(
    demo: Path, runner: CliRunner, tmp_path: Path
):
    (demo / "config" / "install.ps1").write_text("Write-Host hi")
    out = tmp_path / "x.zip"
    result = runner.invoke(cli, ["build", str(demo), "-o", str(out)])
    assert result.exit_code == 1
    assert not out.exists()


def test_build_needs_a_known_extension(demo: Path, runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["build", str(demo), "-o", str(tmp_path / "x.rar")])
    assert result.exit_code == 2


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path):
    assert runner.invoke(cli, ["validate", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(cli, ["frobnicate"]).exit_code == 2


def test_importing_the_cli_does_not_import_the_server():
    code = "import sys, cli.main; bad = [m for m in ('flask', 'sqlalchemy', 'git', 'whoosh') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_placeholders_and_a_pack_without_artefacts_are_problems(
    tmp_path: Path, runner: CliRunner
):
    folder = tmp_path / "triage"
    flags = [f for f in INIT_FLAGS if f not in ("hertfordshire", "csc-systems@example.gov.uk")]
    flags = [f for f in flags if f not in ("--publisher", "--maintainer-email")]
    assert runner.invoke(cli, ["init", str(folder), *flags]).exit_code == 0
    for path in ("config/README.md", "docs/installation.md"):
        (folder / path).unlink()
    result = runner.invoke(cli, ["validate", "--json", str(folder)])
    assert result.exit_code == 1, result.output
    problems = {(p["where"], p["code"]) for p in json.loads(result.output)["problems"]}
    assert problems == {
        ("publisher", "placeholder"),
        ("maintainers[0].email", "placeholder"),
        ("config/", "no-artefacts"),
    }


def test_validate_reads_at_80_columns_with_long_paths(demo: Path, runner: CliRunner):
    deep = "config/children-social-care-front-door/multi-agency-safeguarding-hub-contacts"
    path = f"{deep}/contact-and-referral-records-exported-from-the-case-management-system.csv"
    rows = "".join(f"{i},Team {i},SW1A {i}AA\n" for i in range(1, 4))
    (demo / path).parent.mkdir(parents=True)
    (demo / path).write_text("id,team,postcode\n" + rows + "9,Child,943 476 5919\n")
    (demo / "config" / "a.csv").write_text("id,postcode\n1,SW1A 1AA\n")
    tool = f"{deep}/install-the-multi-agency-safeguarding-hub-contact-form-templates.exe"
    (demo / tool).write_bytes(b"x")
    result = runner.invoke(cli, ["validate", str(demo)], env={"COLUMNS": "80"})
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    # Every finding names its whole file and line, on one line.
    for line_number in (2, 3, 4, 5):
        assert sum(f"{path}:{line_number}" in line for line in lines) == 1
    assert sum("config/a.csv:2" in line for line in lines) == 1
    assert f"  {tool}" in lines  # a problem's place, whole, on a line of its own
    # The advice of each rule once, however many findings it has.
    assert sum("Looks like a UK postcode" in line for line in lines) == 1
    assert sum("Looks like an NHS number" in line for line in lines) == 1
    # Everything but the lines that carry a path fits in 80 columns.
    assert all(len(line) <= 80 for line in lines if "config/" not in line)
