"""The house rules, checked on the code: layers, declared dependencies, file sizes."""

from __future__ import annotations

import ast
import configparser
import re
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600


def _imports(folder: str) -> dict[Path, set[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[path] = names
    return found


def _requirement_names() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].strip().splitlines()
    return {
        _normal(re.split(r"[\[<>=!~ ]", line.strip(), maxsplit=1)[0])
        for line in lines
        if line.strip()
    }


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Dependencies the code names rather than imports: Jinja loads the GOV.UK macros as a package,
# SQLAlchemy loads the PostgreSQL driver from the URL's driver name.
USED_BY_NAME = {
    "govuk-frontend-jinja": 'PackageLoader("govuk_frontend_jinja")',
    "psycopg": "postgresql+psycopg",
}


def test_every_declared_dependency_is_imported_by_the_code():
    """A dependency in install_requires that nothing imports is dead weight (or a mistake)."""
    by_module = packages_distributions()
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "registry").rglob("*.py"))
    used = {name for name, mention in USED_BY_NAME.items() if mention in code}
    for folder in ("registry", "cli"):
        for names in _imports(folder).values():
            for name in names:
                used |= {_normal(d) for d in by_module.get(name.split(".")[0], ())}
    assert _requirement_names() - used == set()


def test_the_api_talks_only_to_services_and_errors():
    """registry/api/ imports no database model or store module: services are the one way in."""
    for path, names in _imports("registry/api").items():
        inner = {n for n in names if n.startswith("registry.")}
        wrong = {
            n for n in inner if n.startswith(("registry.db", "registry.store", "registry.search"))
        }
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_no_module_of_the_registry_or_client_is_over_600_lines():
    """Small rooms: a module that grows past 600 lines is doing more than one job."""
    long = {
        str(p.relative_to(ROOT)): n
        for folder in ("registry", "cli")
        for p in (ROOT / folder).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
