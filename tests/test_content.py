"""The example packs in content_repo/: each validates, uses real schema names and current
vocabulary, and together they cover every supplier, service and kind of artefact.

`cmsreg-server seed` publishes every content_repo/<publisher>/<folder>/cmspack.yaml; a folder is
named after the pack (the newest version) or `<name>@<version>` (an earlier version of it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
import yaml

from registry.packs.validate import validate
from registry.packs.versions import SemVer
from registry.packs.vocabulary import load_vocabularies

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content_repo"
MANIFESTS = sorted(CONTENT.glob("*/*/cmspack.yaml"))
FOLDERS = [m.parent for m in MANIFESTS]
SQL_FILES = sorted(p for folder in FOLDERS for p in folder.rglob("*.sql"))
COUNCIL_TYPES = {"county", "unitary", "metropolitan-borough", "london-borough", "childrens-trust"}


def rel(path: Path) -> str:
    return path.relative_to(CONTENT).as_posix()


@cache
def manifests() -> dict[Path, dict]:
    return {m.parent: yaml.safe_load(m.read_text(encoding="utf-8")) for m in MANIFESTS}


@cache
def latest() -> dict[str, dict]:
    """The newest version of each pack, keyed publisher/name."""
    newest: dict[str, dict] = {}
    for manifest in manifests().values():
        key = f"{manifest['publisher']}/{manifest['name']}"
        if key not in newest or SemVer.parse(manifest["version"]) > SemVer.parse(
            newest[key]["version"]
        ):
            newest[key] = manifest
    return newest


@cache
def organisations() -> dict[str, dict]:
    data = yaml.safe_load((CONTENT / "organisations.yaml").read_text(encoding="utf-8"))
    return {o["slug"]: o for o in data}


# --- every pack validates ------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS, ids=[rel(f) for f in FOLDERS])
def test_every_seeded_pack_validates_without_problems_or_findings(folder: Path) -> None:
    report = validate(folder)
    assert report.problems == [], [p.to_dict() for p in report.problems]
    # Example packs carry no personal-data findings, not even warnings a moderator would clear.
    assert report.findings == [], [f.to_dict() for f in report.findings]


@pytest.mark.parametrize("folder", FOLDERS, ids=[rel(f) for f in FOLDERS])
def test_folders_are_named_after_the_publisher_and_the_pack(folder: Path) -> None:
    manifest = manifests()[folder]
    assert folder.parent.name == manifest["publisher"]
    newest = latest()[f"{manifest['publisher']}/{manifest['name']}"]
    if manifest is newest:
        assert folder.name == manifest["name"], "the newest version lives in <name>/"
    else:
        assert folder.name == f"{manifest['name']}@{manifest['version']}", (
            "an earlier version lives in <name>@<version>/"
        )


@pytest.mark.parametrize("folder", FOLDERS, ids=[rel(f) for f in FOLDERS])
def test_every_pack_has_install_steps_per_product_and_a_changelog(folder: Path) -> None:
    manifest = manifests()[folder]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    install = re.search(r"^## (Install[^\n]*)\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert install, "README.md needs an '## Installing …' section"
    products = load_vocabularies()["product"]
    for product in manifest["products"]:
        if product["id"] == "other":
            continue
        term = products.resolve(product["id"])
        short = re.sub(r" \(.*\)$", "", term.name)
        names = {term.name.lower(), short.lower(), term.slug.lower(), *term.aliases}
        abbreviation = re.search(r"\((\w+)\)", term.name)
        if abbreviation:
            names.add(abbreviation.group(1).lower())
        section = install.group(0).lower()
        assert any(n in section for n in names), (
            f"the install section says nothing about {term.name}"
        )
        # Steps per product version: the first release number the manifest gives is named.
        release = re.search(r"\d+(?:\.\d+)+|\d+\.x", product.get("versions") or "")
        if release:
            assert release.group(0).lower() in section, (
                f"the install section does not say which {term.name} release it is for "
                f"({release.group(0)})"
            )
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(manifest['version'])}\b", changelog, re.M), (
        f"CHANGELOG.md has no '## {manifest['version']}' section"
    )


def test_every_publisher_is_an_organisation_and_councils_carry_their_codes() -> None:
    orgs = organisations()
    for key in latest():
        publisher = key.split("/")[0]
        assert publisher in orgs, f"{publisher} is not in organisations.yaml"
        org = orgs[publisher]
        if org["type"] in COUNCIL_TYPES - {"childrens-trust"}:
            assert re.fullmatch(r"E0[6-9]\d{6}|E10\d{6}", org["gss_code"]), publisher
            assert re.fullmatch(r"\d{3}", org["dfe_number"]), publisher


def test_a_councils_packs_name_only_systems_it_is_documented_to_run() -> None:
    """A pack published by a real council is for a product public records show it uses."""
    sources = (CONTENT / "SOURCES.md").read_text(encoding="utf-8")
    for key, manifest in latest().items():
        org = organisations()[manifest["publisher"]]
        if org["type"] not in COUNCIL_TYPES:
            continue
        systems = org.get("systems") or {}
        assert systems, f"{org['slug']}: organisations.yaml lists no documented systems"
        for product in manifest["products"]:
            if product["id"] == "other":
                continue
            assert product["id"] in systems, (
                f"{key} is for {product['id']}, which {org['slug']} is not documented to run"
            )
            assert systems[product["id"]] in sources, (
                f"{org['slug']}: source {systems[product['id']]!r} is not cited in SOURCES.md"
            )


# --- coverage ------------------------------------------------------------------------------


def test_there_are_at_least_32_packs() -> None:
    assert len(latest()) >= 32


def test_every_supplier_has_a_pack() -> None:
    used = {m["supplier"] for m in latest().values()}
    missing = set(load_vocabularies()["supplier"].slugs) - used - {"other"}
    assert not missing, f"no example pack for {sorted(missing)}"


def test_adults_social_care_has_as_many_packs_as_childrens() -> None:
    areas = [set(m["service_areas"]) for m in latest().values()]
    adults = sum("adults-social-care" in a for a in areas)
    children = sum("childrens-social-care" in a for a in areas)
    assert adults >= children, (adults, children)


def test_every_kind_of_artefact_has_at_least_two_packs() -> None:
    counts: dict[str, int] = defaultdict(int)
    for manifest in latest().values():
        for kind in manifest["kinds"]:
            counts[kind] += 1
    thin = {k: counts[k] for k in load_vocabularies()["kind"].slugs if counts[k] < 2}
    assert not thin, thin


def test_two_packs_have_a_second_version() -> None:
    versions: dict[str, set[str]] = defaultdict(set)
    for manifest in manifests().values():
        versions[f"{manifest['publisher']}/{manifest['name']}"].add(manifest["version"])
    assert sum(len(v) >= 2 for v in versions.values()) >= 2


def test_the_newest_versions_use_no_deprecated_vocabulary() -> None:
    """Deprecated values stay valid for earlier versions; the newest ones have moved on."""
    vocab = load_vocabularies()
    fields = {
        "practice_models": "practice_model",
        "organisation_structures": "organisation_structure",
        "service_areas": "service_area",
        "kinds": "kind",
    }
    for key, manifest in latest().items():
        used = [(fields[f], v) for f in fields for v in manifest.get(f) or []]
        used += [("statutory_return", r["id"]) for r in manifest.get("statutory_returns") or []]
        used += [("supplier", manifest["supplier"])]
        for vocabulary, value in used:
            assert vocab[vocabulary].resolve(value).deprecated is None, (key, value)


# Packs that feed or check a statutory return name it, with the years they are right for.
RETURNS = {
    "data-to-insight/standard-safeguarding-dataset": "csc-api-data-flow",
    "liquidlogic-user-group/lcs-annex-a-lists": "ofsted-annex-a",
    "birmingham-childrens-trust/care-leavers-pathway-plan": "ssda903",
    "mosaic-user-group/cla-review-iro-workflow": "ssda903",
    "newham/ehcp-send-workflow": "sen2",
    "salford/msp-s42-enquiry-workflow": "sac",
    "eclipse-user-group/dols-lps-workflow": "dols",
    "camden/cld-quarterly-return": "cld",
    "hertfordshire/family-safeguarding-cp-workflow": "cin-census",
}


@pytest.mark.parametrize(("key", "return_id"), sorted(RETURNS.items()))
def test_packs_that_feed_a_return_name_it_with_current_years(key: str, return_id: str) -> None:
    manifest = latest()[key]
    named = {r["id"]: r["years"] for r in manifest.get("statutory_returns") or []}
    assert return_id in named, f"{key} should list {return_id} in statutory_returns"
    assert "2026-27" in named[return_id] or "2025-26" in named[return_id]


# --- SQL uses real schema names ------------------------------------------------------------


@cache
def schemas() -> dict[str, dict]:
    return yaml.safe_load((CONTENT / "schemas.yaml").read_text(encoding="utf-8"))["schemas"]


KEYWORDS = {
    "ON", "WHERE", "LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS", "JOIN", "GROUP", "ORDER",
    "UNION", "WITH", "SET", "HAVING", "WINDOW", "LIMIT", "OFFSET", "FETCH", "USING", "VALUES",
    "SELECT", "AND", "OR", "PIVOT", "UNPIVOT", "OPTION", "INTO", "WHEN", "THEN", "FOR", "EXCEPT",
    "INTERSECT", "NATURAL", "LATERAL", "RETURNING", "OUTPUT", "APPLY", "AS", "NOT", "EXISTS",
    "CASE", "END", "ELSE", "IS", "NULL", "IN", "BY", "TABLESAMPLE", "DEFAULT", "WHILE",
}  # fmt: skip
IDENT = r"[#@]?[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*"


def _strip(sql: str) -> str:
    """Remove comments, string literals, brackets and quotes around identifiers."""
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    # [Name] and "Name" are identifiers; a quoted column heading with spaces is not a table.
    sql = re.sub(
        r"\[([^\]]*)\]", lambda m: m.group(1) if re.fullmatch(r"\w+", m.group(1)) else "q_", sql
    )
    sql = re.sub(
        r"\"([^\"]*)\"", lambda m: m.group(1) if re.fullmatch(r"\w+", m.group(1)) else "q_", sql
    )
    sql = re.sub(r"\bIS\s+(?:NOT\s+)?DISTINCT\s+FROM\b", " = ", sql, flags=re.I)
    return re.sub(r"\bEXTRACT\s*\(\s*\w+\s+FROM\b", "EXTRACT(", sql, flags=re.I)


def _defined_names(sql: str) -> set[str]:
    """Tables a file makes for itself: CTEs, temp tables, table variables, CREATE TABLE/VIEW."""
    names = {
        m.lower() for m in re.findall(r"(?:\bWITH|,)\s*(?:RECURSIVE\s+)?(\w+)\s+AS\s*\(", sql, re.I)
    }
    names |= {
        m.lower() for m in re.findall(r"(?:\bWITH|,)\s*(\w+)\s*\([\w\s,]*\)\s+AS\s*\(", sql, re.I)
    }
    names |= {
        m.split(".")[-1].lower()
        for m in re.findall(rf"\bCREATE\s+(?:TEMP(?:ORARY)?\s+|OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?({IDENT})", sql, re.I)
    }  # fmt: skip
    names |= {m.lower() for m in re.findall(r"DECLARE\s+(@\w+)\s+TABLE", sql, re.I)}
    names |= {m.lower() for m in re.findall(r"(?<![\w])(#\w+)", sql)}
    return names


def _lookup(table: str, declared: list[str]) -> tuple[str, str, dict] | None:
    for key in declared:
        for name, columns in schemas()[key]["tables"].items():
            if name.lower() == table.lower():
                return key, name, {"columns": {c.lower() for c in columns}}
    return None


def sql_problems(path: Path) -> list[str]:
    """Every table, qualifier and column in a SQL file that schemas.yaml does not list."""
    raw = path.read_text(encoding="utf-8")
    header = re.search(r"^--\s*schema:\s*(.+)$", raw, re.M)
    if not header:
        return ["no '-- schema: <name>' line naming the schemas the file uses"]
    declared = [s.strip() for s in header.group(1).split(",")]
    unknown = [s for s in declared if s not in schemas()]
    if unknown:
        return [f"schema {unknown} is not in schemas.yaml"]
    sql = _strip(raw)
    defined = _defined_names(sql)
    problems: list[str] = []
    for statement in re.split(r";|\bGO\b", sql):
        aliases: dict[str, set[str]] = defaultdict(set)  # alias -> tables with known columns
        opaque: set[str] = set()  # aliases of CTEs and other unlisted objects
        pattern = rf"\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:LATERAL\s+|ONLY\s+)?({IDENT})(?:\s+(?:AS\s+)?(\w+))?"
        for m in re.finditer(pattern, statement, re.I):
            verb, ref, alias = m.group(1).upper(), m.group(2), m.group(3)
            after = statement[m.end(2) : m.end(2) + 2].lstrip()
            if after.startswith("("):
                if verb == "INTO":  # INSERT INTO t (columns …) is still a table
                    pass
                elif verb == "TABLE" or ref.upper() in KEYWORDS or "." not in ref:
                    continue  # a function or a subquery: generate_series(…), OPENJSON(…)
            if ref.upper() in KEYWORDS or ref.startswith("@"):
                continue
            parts = ref.split(".")
            table, qualifier = parts[-1], ".".join(parts[:-1])
            alias_key = (alias or "").lower()
            if alias and alias.upper() in KEYWORDS:
                alias_key = ""
            found = _lookup(table, declared)
            if found is None:
                if (table.lower() in defined and not qualifier) or ref.startswith("#"):
                    opaque.update(a for a in (alias_key, table.lower()) if a)
                    continue
                problems.append(f"{ref}: not a table of {', '.join(declared)} in schemas.yaml")
                continue
            key, name, info = found
            spec = schemas()[key]
            want = spec.get("qualifier", "")
            mode = spec.get("qualified", "none" if not want else "required")
            if mode == "required" and qualifier.lower() != want.lower():
                problems.append(f"{ref}: write it as {want}.{name}")
            elif mode == "optional" and qualifier and qualifier.lower() != want.lower():
                problems.append(f"{ref}: the qualifier of {name} is {want} or none")
            elif mode == "none" and qualifier:
                problems.append(f"{ref}: {name} is written without a qualifier")
            for a in (alias_key, table.lower()):
                if a:
                    aliases[a].add(name)
            if verb == "INTO" and after.startswith("("):
                body = statement[m.end(2) :].lstrip()[1:]
                listed = body[: body.find(")")]
                for column in re.findall(r"\w+", listed):
                    if column.lower() not in info["columns"]:
                        problems.append(f"{name}.{column}: not a column in schemas.yaml")
            if verb == "TABLE":
                body = statement[m.end(2) :].lstrip()[1:]
                for item in _top_level_items(body):
                    first = item.split()[0] if item.split() else ""
                    if first.upper() in {
                        "CONSTRAINT",
                        "PRIMARY",
                        "UNIQUE",
                        "FOREIGN",
                        "CHECK",
                        "INDEX",
                    }:
                        continue
                    if first and first.lower() not in info["columns"]:
                        problems.append(f"{name}.{first}: not a column in schemas.yaml")
        for alias, tables in aliases.items():
            if alias in opaque:
                continue
            allowed = set().union(*(_lookup(t, declared)[2]["columns"] for t in tables))
            for column in re.findall(rf"(?<![\w.]){re.escape(alias)}\.(\w+)", statement, re.I):
                if column.lower() not in allowed:
                    problems.append(f"{alias}.{column}: not a column of {'/'.join(sorted(tables))}")
    return sorted(set(problems))


def _top_level_items(body: str) -> list[str]:
    """The comma-separated items of a parenthesised list, up to its closing parenthesis."""
    items, depth, current = [], 0, ""
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    items.append(current.strip())
    return items


@pytest.mark.parametrize("path", SQL_FILES, ids=[rel(p) for p in SQL_FILES])
def test_sql_uses_only_real_schema_names(path: Path) -> None:
    assert sql_problems(path) == []


def test_the_schema_check_catches_invented_names(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text(
        "-- schema: lcs-warehouse\n"
        "SELECT e.EPISODE_START_DTTM, p.EXPECTED_DOB_DTTM FROM dbo.FACT_CLA_EPISODE AS e\n"
        "JOIN HDM.Child_Social.DIM_PERSON AS p ON p.DIM_PERSON_ID = e.DIM_PERSON_ID\n"
        "JOIN DIM_WORKER AS w ON 1 = 1;\n",
        encoding="utf-8",
    )
    problems = sql_problems(bad)
    assert "dbo.FACT_CLA_EPISODE: not a table of lcs-warehouse in schemas.yaml" in problems
    assert "p.EXPECTED_DOB_DTTM: not a column of DIM_PERSON" in problems
    assert "DIM_WORKER: write it as HDM.Child_Social.DIM_WORKER" in problems
    good = tmp_path / "good.sql"
    good.write_text(
        "-- schema: mosaic-warehouse\n"
        "WITH steps AS (SELECT s.WORKFLOW_STEP_ID FROM dbo.DM_WORKFLOW_STEPS s)\n"
        "SELECT p.PERSON_ID FROM DM_PERSONS p JOIN steps ON 1 = 1;\n",
        encoding="utf-8",
    )
    assert sql_problems(good) == []


def test_every_schema_names_its_source_in_sources_md() -> None:
    sources = (CONTENT / "SOURCES.md").read_text(encoding="utf-8")
    for key in schemas():
        assert f"`{key}`" in sources, f"SOURCES.md does not cite the sources of schema {key}"


def test_seed_publishes_each_pack_after_its_dependencies_and_older_versions_first() -> None:
    from registry.packs.versions import satisfies
    from registry.services.seed import publishing_order

    order = publishing_order(CONTENT)
    assert sorted(order) == sorted(FOLDERS)
    published: dict[str, list[str]] = defaultdict(list)
    for folder in order:
        manifest = manifests()[folder]
        for target, spec in (manifest.get("depends") or {}).items():
            # The registry refuses a dependency it has no version of in range.
            assert any(satisfies(v, spec) for v in published[target]), (rel(folder), target)
        key = f"{manifest['publisher']}/{manifest['name']}"
        version = str(manifest["version"])
        assert all(SemVer.parse(v) < SemVer.parse(version) for v in published[key])
        published[key].append(version)
