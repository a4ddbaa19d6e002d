"""`cmsreg search` and `show` against the real app, with packs published and approved over the API."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from cli import exits
from tests.cli.catalogue import CP, SOS, publish_catalogue


@pytest.fixture
def catalogue(client, accounts):
    return publish_catalogue(client, accounts)


def fits(output: str, width: int = 80) -> None:
    # Commands to copy stay on one line, however long.
    lines = [line for line in output.splitlines() if not line.startswith("  cmsreg ")]
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, too_long


# -- search -----------------------------------------------------------------------------------


def test_search_table_fits_80_columns_with_facets(cmsreg, catalogue):
    out = cmsreg("search")
    assert out.exit_code == 0, out.output
    fits(out.output)
    flat = " ".join(out.output.split())
    assert "Family Safeguarding" in out.output and "hertfordshire/family-s" in out.output
    assert "1.3.0" in out.output and "1.2.0" not in out.output  # the latest version only
    assert "system-c" in out.output and "lcs" in out.output
    assert "family-safeguarding" in out.output  # a tag
    assert "2 packs." in out.output
    # Facet counts underneath, under the option that filters by them.
    assert "--supplier access-group (1), system-c (1)" in flat
    assert "--practice-model" in out.output and "signs-of-safety (1)" in flat
    # Long names fold within the table rather than overflowing it.
    assert "essex/signs-of-safety" in out.output


def test_search_filters_repeat_and_combine(cmsreg, catalogue):
    def names(*args: str) -> list[str]:
        out = cmsreg("search", *args, "--json")
        assert out.exit_code == 0, out.output
        return [f"{r['publisher']}/{r['name']}" for r in json.loads(out.output)["results"]]

    assert names("--supplier", "system-c") == [CP]
    assert sorted(names("--supplier", "system-c", "--supplier", "access-group")) == sorted(
        [CP, SOS]
    )
    assert names("--product", "mosaic", "--practice-model", "signs-of-safety") == [SOS]
    assert names("--supplier", "system-c", "--practice-model", "signs-of-safety") == []
    assert names("--organisation-structure", "integrated-front-door") == [SOS]
    assert names("--structure", "integrated-front-door") == [SOS]
    assert names("--kind", "document-template") == [SOS]
    assert names("--service-area", "childrens-social-care", "--publisher", "hertfordshire") == [CP]
    assert sorted(names("--licence", "OGL-UK-3.0")) == sorted([CP, SOS])
    assert names("safety", "goals") == [SOS]
    assert names("--sort", "name") == [CP, SOS]


def test_search_json_is_the_servers_answer(cmsreg, catalogue, client):
    out = cmsreg("search", "child", "protection", "--supplier", "system-c", "--json")
    assert out.exit_code == 0, out.output
    server = client.get("/api/v1/search?q=child+protection&supplier=system-c").get_json()
    assert json.loads(out.output) == server
    assert set(server) >= {"total", "results", "facets", "did_you_mean"}


def test_search_pages(cmsreg, catalogue):
    out = cmsreg("search", "--per-page", "1", "--sort", "name")
    assert out.exit_code == 0, out.output
    assert "2 packs, page 1 of 2 (next: --page 2)." in out.output
    second = cmsreg("search", "--per-page", "1", "--sort", "name", "--page", "2")
    assert "page 2 of 2." in second.output
    assert "essex/" in second.output and "hertfordshire/" not in second.output


def test_search_did_you_mean(cmsreg, catalogue):
    out = cmsreg("search", "safegaurding")
    assert out.exit_code == 0, out.output
    assert 'Did you mean "safeguarding"?' in out.output
    assert "  cmsreg search safeguarding\n" in out.output
    fits(out.output)
    # The suggestion keeps the filters, ready to paste.
    kept = cmsreg("search", "family", "safegaurding", "--supplier", "system-c", "--kind", "form")
    assert "  cmsreg search 'family safeguarding' --supplier system-c --kind form\n" in kept.output


def test_search_nothing_found(cmsreg, catalogue):
    out = cmsreg("search", "--supplier", "olm")
    assert out.exit_code == 0, out.output
    assert "No packs." in out.output


def test_search_usage_errors_exit_2(cmsreg):
    assert cmsreg("search", "--sort", "oldest").exit_code == exits.USAGE
    assert cmsreg("search", "--per-page", "500").exit_code == exits.USAGE
    assert cmsreg("search", "--colour", "red").exit_code == exits.USAGE


def test_search_refused_by_the_registry_is_a_usage_error(cmsreg):
    out = cmsreg("search", "--supplier", "x" * 101)
    assert out.exit_code == exits.USAGE
    assert "supplier" in out.output and "Longer than maximum length 100" in out.output


# -- show -------------------------------------------------------------------------------------


def test_show_pack_lists_versions_with_yank_reasons(cmsreg, catalogue, client):
    from tests.conftest import auth

    r = client.post(
        f"/api/v1/packs/{CP}/versions/1.2.0/yank",
        json={"reason": "Steps in the wrong order for ICPC"},
        headers=auth(catalogue.herts),
    )
    assert r.status_code == 200, r.get_json()
    out = cmsreg("show", CP)
    assert out.exit_code == 0, out.output
    fits(out.output)
    assert "Family Safeguarding child protection workflow" in out.output
    assert "system-c" in out.output and "lcs >=2023.1" in out.output
    lines = out.output.splitlines()
    v13 = next(line for line in lines if line.strip().startswith("1.3.0"))
    v12 = next(line for line in lines if line.strip().startswith("1.2.0"))
    assert "latest" in v13 and "yanked" not in v13
    assert "yanked: Steps in the wrong order for" in v12
    assert "yanked: Steps in the wrong order for ICPC" in " ".join(out.output.split())
    assert f"cmsreg show {CP}@VERSION" in out.output


def test_show_version_files_checksums_dependencies_and_download(cmsreg, catalogue, client):
    detail = client.get(f"/api/v1/packs/{SOS}/versions/1.0.0").get_json()
    out = cmsreg("show", SOS + "@1.0.0")
    assert out.exit_code == 0, out.output
    for f in detail["files"]:
        assert f["path"] in out.output and f["sha256"] in out.output
    assert detail["archive_sha256"]["zip"] in out.output
    assert detail["archive_sha256"]["tar.gz"] in out.output
    assert f"{CP} >=1.2.0" in out.output  # depends
    assert "approved" in out.output.lower() and "mosaic-mod" in out.output
    assert f"cmsreg download {SOS}@1.0.0" in out.output
    fits(out.output)


def test_show_latest_and_json(cmsreg, catalogue, client):
    out = cmsreg("show", CP + "@latest", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == client.get(f"/api/v1/packs/{CP}/versions/latest").get_json()
    assert json.loads(out.output)["version"] == "1.3.0"
    pack = cmsreg("show", CP, "--json")
    assert json.loads(pack.output) == client.get(f"/api/v1/packs/{CP}").get_json()


def test_show_yanked_version_says_so(cmsreg, catalogue, client):
    from tests.conftest import auth

    client.post(
        f"/api/v1/packs/{CP}/versions/1.2.0/yank",
        json={"reason": "Superseded [bold]by[/bold] 1.3.0"},
        headers=auth(catalogue.herts),
    )
    out = cmsreg("show", CP + "@1.2.0")
    assert out.exit_code == 0, out.output
    # The publisher's words are shown as written, never read as markup.
    assert "Yanked: Superseded [bold]by[/bold] 1.3.0" in out.output
    listed = cmsreg("show", CP)
    assert "yanked: Superseded [bold]by[/bold] 1.3.0" in listed.output


def test_show_unknown_pack_exit_3_with_the_servers_message(cmsreg, catalogue):
    out = cmsreg("show", "hertfordshire/no-such-pack")
    assert out.exit_code == exits.REGISTRY
    assert "No pack hertfordshire/no-such-pack" in out.output
    missing = cmsreg("show", CP + "@9.9.9")
    assert missing.exit_code == exits.REGISTRY
    assert "has no approved version 9.9.9" in missing.output and "1.3.0" in missing.output


@pytest.mark.parametrize("ref", ["just-a-name", "a/b/c", "a/b@", "/name", "a/b@1@2"])
def test_show_bad_reference_is_a_usage_error(cmsreg, ref):
    out = cmsreg("show", ref)
    assert out.exit_code == exits.USAGE
    assert "PUBLISHER/NAME" in out.output


def test_every_filter_of_the_api_is_an_option():
    """The CLI offers exactly the search filters the API accepts."""
    from cli.finding import FILTERS
    from registry.services.discovery import FACETS

    assert {name for name, _, _ in FILTERS} == set(FACETS)


# -- diff -------------------------------------------------------------------------------------


def test_diff_unified(cmsreg, catalogue):
    out = cmsreg("diff", CP, "1.2.0", "1.3.0")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert "--- a/config/steps.xml" in lines and "+++ b/config/steps.xml" in lines
    assert "-<steps><step code='CP1'>Strategy discussion</step></steps>" in lines
    assert any(
        line.startswith("+<steps><step code='CP1'>Strategy discussion (S47)") for line in lines
    )
    # Added and removed files, in path order.
    assert "+++ b/config/lookups.csv" in lines and "+code,description" in lines
    assert "--- a/docs/install.md" in lines and "+++ /dev/null" in lines
    assert lines.index("--- a/cmspack.yaml") < lines.index("+++ b/config/lookups.csv")
    assert "-version: 1.2.0" in lines and "+version: 1.3.0" in lines
    assert "\x1b[" not in out.output  # no colour when not a terminal


def test_diff_is_coloured_on_a_terminal(cmsreg, catalogue):
    out = cmsreg("diff", CP, "1.2.0", "1.3.0", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert out.exit_code == 0, out.output
    assert "\x1b[32m+code,description" in out.output  # green
    assert "\x1b[31m-version: 1.2.0" in out.output  # red


def test_diff_stat(cmsreg, catalogue):
    out = cmsreg("diff", CP, "1.2.0", "latest", "--stat")
    assert out.exit_code == 0, out.output
    fits(out.output)
    rows = {
        line.split("|")[0].strip(): line.split("|")[1]
        for line in out.output.splitlines()
        if "|" in line
    }
    assert set(rows) == {
        "cmspack.yaml",
        "config/lookups.csv",
        "config/steps.xml",
        "docs/install.md",
    }
    assert rows["config/steps.xml"].split() == ["2", "+-"]
    assert rows["config/lookups.csv"].split() == ["2", "++"]
    assert rows["docs/install.md"].split() == ["3", "---"]
    assert "4 files changed" in out.output and "insertions(+)" in out.output


def test_diff_json_and_no_differences(cmsreg, catalogue, client):
    out = cmsreg("diff", CP, "1.2.0", "1.3.0", "--json")
    assert (
        json.loads(out.output)
        == client.get(f"/api/v1/packs/{CP}/diff?from=1.2.0&to=1.3.0").get_json()
    )
    same = cmsreg("diff", CP, "1.3.0", "latest")
    assert same.exit_code == 0 and "No differences" in same.output


def test_diff_errors(cmsreg, catalogue):
    missing = cmsreg("diff", CP, "1.2.0", "4.0.0")
    assert missing.exit_code == exits.REGISTRY and "no approved version 4.0.0" in missing.output
    assert cmsreg("diff", "hertfordshire/nope", "1.0.0", "1.1.0").exit_code == exits.REGISTRY
    assert cmsreg("diff", CP + "@1.2.0", "1.2.0", "1.3.0").exit_code == exits.USAGE
    assert cmsreg("diff", CP, "1.2.0").exit_code == exits.USAGE


def test_diff_names_binary_files_with_their_sizes(cmsreg, catalogue, client):
    from tests.api.test_flow import publish_and_approve
    from tests.cli.catalogue import cp_files
    from tests.packs.manifests import manifest_bytes

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    files = {
        **cp_files("1.3.0"),
        "cmspack.yaml": manifest_bytes(version="1.4.0", depends=...),
        "docs/flow.png": png,
    }
    publish_and_approve(client, catalogue.herts, catalogue.lcs_moderator, files)
    out = cmsreg("diff", CP, "1.3.0", "1.4.0")
    assert out.exit_code == 0, out.output
    assert "Binary file docs/flow.png added (- → 264 B)" in out.output
    stat = cmsreg("diff", CP, "1.3.0", "1.4.0", "--stat")
    assert "docs/flow.png | Bin - → 264 B (added)" in stat.output
    assert "2 files changed, 1 insertion(+), 1 deletion(-)" in stat.output


def test_reading_needs_no_token_and_a_stale_one_does_not_stop_it(cmsreg, catalogue, accounts, reg):
    from registry.services import accounts as service

    token = accounts.token("gone", "essex")
    service.revoke_token(reg, token)
    for args in (("search", "x"), ("show", CP), ("diff", CP, "1.2.0", "1.3.0")):
        for sent in (None, token):
            out = cmsreg(*args, token=sent)
            assert out.exit_code == exits.OK, (args, out.output)
            assert token not in out.output


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch(1)")
def test_diff_applies_with_patch(cmsreg, catalogue, tmp_path):
    # The diff is a real unified diff: patch -p1 turns an extracted 1.2.0 into 1.3.0.
    from tests.cli.catalogue import cp_files

    folder = tmp_path / "work"
    for path, data in cp_files("1.2.0").items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    out = cmsreg("diff", CP, "1.2.0", "1.3.0")
    assert out.exit_code == 0, out.output
    subprocess.run(["patch", "-p1", "-s"], input=out.stdout, text=True, cwd=folder, check=True)
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    assert files == cp_files("1.3.0")
