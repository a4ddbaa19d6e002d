"""Whoosh's private internals are used in one module, which refuses any Whoosh but the one meant."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.search import WhooshEngine
from registry.search.whoosh_internals import (
    REQUIRED_VERSION,
    installed_whoosh,
    whoosh_problem,
)
from tests.search.corpus import PACKS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "registry"
INTERNALS = REGISTRY / "search" / "whoosh_internals.py"
# Whoosh modules whose contents are implementation, not API: codecs, matchers, writers, helpers.
PRIVATE_MODULES = ("whoosh.codec", "whoosh.matching", "whoosh.writing", "whoosh.util")
PRIVATE_NAMES = {"TOC", "clean_files", "pack_uint", "SegmentWriter", "W3Codec"}


def test_the_installed_whoosh_is_the_one_required() -> None:
    assert installed_whoosh() == {"whoosh-reloaded": REQUIRED_VERSION}
    assert whoosh_problem(installed_whoosh()) is None


def test_another_version_is_refused_naming_both_versions() -> None:
    problem = whoosh_problem({"whoosh-reloaded": "2.7.6"})
    assert problem is not None
    assert "2.7.6 is installed" in problem
    assert "whoosh-reloaded==2.7.5" in problem


def test_the_original_whoosh_beside_the_fork_is_refused() -> None:
    problem = whoosh_problem({"whoosh-reloaded": "2.7.5", "Whoosh": "2.7.4"})
    assert problem is not None
    assert "Whoosh 2.7.4" in problem
    assert "uninstall Whoosh" in problem


def test_the_original_whoosh_alone_is_refused() -> None:
    problem = whoosh_problem({"Whoosh": "2.7.4"})
    assert problem is not None
    assert "uninstall Whoosh and install exactly whoosh-reloaded==2.7.5" in problem


def test_no_whoosh_at_all_is_refused() -> None:
    assert "no Whoosh is installed" in (whoosh_problem({}) or "")


def test_the_app_does_not_start_beside_another_whoosh_distribution(tmp_path: Path) -> None:
    # Real installed metadata: a Whoosh 2.7.4 distribution on the path, as pip would leave it.
    info = tmp_path / "site" / "Whoosh-2.7.4.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Whoosh\nVersion: 2.7.4\n")
    env = os.environ | {"PYTHONPATH": str(tmp_path / "site"), "CMSREG_INSTANCE": str(tmp_path)}
    code = "from registry import create_app; create_app()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "WhooshVersionError" in done.stderr
    assert "provided by Whoosh 2.7.4, whoosh-reloaded 2.7.5" in done.stderr


def _private_uses(path: Path) -> list[str]:
    """Return the private Whoosh names a module imports, and the private attributes it reaches.

    Which objects are Whoosh's cannot be told without running the code, so in the search
    package and in any module importing Whoosh, no attribute starting with an underscore may
    be reached except on self or cls.
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    near_whoosh = (
        path.parent == REGISTRY / "search" or "import whoosh" in source or ("from whoosh" in source)
    )
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            module = node.module or ""
            for alias in node.names:
                if (
                    module.startswith(PRIVATE_MODULES)
                    or alias.name.startswith("_")
                    or alias.name in PRIVATE_NAMES
                ):
                    found.append(f"{path.name}:{node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PRIVATE_MODULES):
                    found.append(f"{path.name}:{node.lineno}: import {alias.name}")
        elif (
            near_whoosh
            and isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_only_whoosh_internals_uses_private_whoosh_names() -> None:
    offenders = []
    for path in sorted(REGISTRY.rglob("*.py")):
        if path != INTERNALS:
            offenders += _private_uses(path)
    assert offenders == []


def test_the_check_finds_private_names_where_they_are() -> None:
    # The scan above would pass on anything if it found nothing anywhere.
    found = _private_uses(INTERNALS)
    assert any("whoosh.codec.whoosh3 import W3Codec" in f for f in found)
    assert any("from whoosh.index import TOC" in f for f in found)
    assert any(f.endswith(": m._read_data") for f in found)


@pytest.mark.parametrize("module", ["bulk", "postings", "lru"])
def test_the_old_modules_are_gone(module: str) -> None:
    assert not (REGISTRY / "search" / f"{module}.py").exists()


def test_indexes_name_their_codec_as_before(tmp_path: Path) -> None:
    # Segments pickle their codec: an index must stay readable by the release before this one
    # (a rollback), which knows it as registry.search.schema.Codec.
    engine = WhooshEngine(tmp_path / "index")
    engine.index(PACKS[:3])
    engine.close()
    (toc,) = (tmp_path / "index").glob("gen-*/_MAIN_*.toc")
    assert b"registry.search.schema" in toc.read_bytes()
    assert b"whoosh_internals" not in toc.read_bytes()
