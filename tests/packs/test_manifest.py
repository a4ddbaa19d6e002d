"""The manifest: every field, every hostile YAML trick, every problem reported at once."""

from __future__ import annotations

import pytest

from registry.packs.limits import Limits
from registry.packs.manifest import parse_manifest
from tests.packs.manifests import VALID, manifest_bytes


def problems_of(data: bytes) -> list:
    return parse_manifest(data).problems


def test_valid_manifest_has_no_problems_and_is_returned_normalised():
    result = parse_manifest(manifest_bytes())
    assert result.problems == []
    assert result.manifest == VALID


def test_aliases_are_stored_as_slugs_with_a_notice():
    result = parse_manifest(
        manifest_bytes(supplier="liquidlogic", practice_models=["reclaiming-social-work", "SoS"])
    )
    assert result.problems == []
    assert result.manifest["supplier"] == "system-c"
    assert result.manifest["practice_models"] == ["systemic-practice", "signs-of-safety"]
    wheres = {n.where: n.message for n in result.notices}
    assert "'liquidlogic' is stored as 'system-c'" in wheres["supplier"]
    assert "practice_models[0]" in wheres and "practice_models[1]" in wheres


def test_product_alias_is_normalised():
    result = parse_manifest(manifest_bytes(products=[{"id": "liquidlogic-childrens"}]))
    assert result.problems == []
    assert result.manifest["products"] == [{"id": "lcs", "versions": None}]


# Every field wrong in turn: (field, bad value, where the problem is reported, words in message)
WRONG = [
    ("name", "Family_Safeguarding", "name", "not a slug"),
    ("name", "-leading-hyphen", "name", "not a slug"),
    ("name", "a" * 65, "name", "not a slug"),
    ("name", 42, "name", "must be text"),
    ("name", "trailing-newline\n", "name", "not a slug"),
    ("publisher", "Herts CC", "publisher", "not a slug"),
    ("version", "1.2", "version", "Semantic Versioning"),
    ("version", 1.2, "version", "must be text"),
    ("version", "01.2.0", "version", "Semantic Versioning"),
    ("version", "v1.2.0", "version", "Semantic Versioning"),
    ("title", "", "title", "between 1 and 120"),
    ("title", "t" * 121, "title", "between 1 and 120"),
    ("title", ["a"], "title", "must be text"),
    ("summary", "s" * 201, "summary", "200"),
    ("licence", "GPL-3.0", "licence", "not a known licence"),
    ("licence", "OGL-UK-2.0", "licence", "Did you mean OGL-UK-3.0"),
    ("supplier", "sytem-c", "supplier", "Did you mean system-c"),
    ("supplier", ["system-c"], "supplier", "must be text"),
    ("products", "lcs", "products", "must be a list"),
    ("products", [], "products", "between 1 and"),
    ("products", [{"id": "lcx"}], "products[0].id", "Did you mean lcs"),
    ("products", [{"versions": "1"}], "products[0].id", "Add `id:`"),
    (
        "products",
        [{"id": "lcs", "release": "2024"}],
        "products[0].release",
        "Allowed here: id, versions",
    ),
    ("products", ["lcs"], "products[0]", "mapping"),
    ("products", [{"id": "lcs"}, {"id": "lcs"}], "products", "twice"),
    ("service_areas", ["children"], "service_areas[0]", "childrens-social-care"),
    ("service_areas", [], "service_areas", "between 1 and"),
    ("service_areas", "childrens-social-care", "service_areas", "must be a list"),
    ("practice_models", ["signs-of-safty"], "practice_models[0]", "Did you mean signs-of-safety"),
    ("practice_models", ["signs-of-safety", "signs-of-safety"], "practice_models", "twice"),
    (
        "organisation_structures",
        ["hub"],
        "organisation_structures[0]",
        "not a known organisation structure",
    ),
    ("kinds", ["letters"], "kinds[0]", "not a known artefact kind"),
    ("kinds", [], "kinds", "between 1 and"),
    ("keywords", [f"k{i}" for i in range(21)], "keywords", "at most 20"),
    ("keywords", ["ok", 3], "keywords[1]", "must be text"),
    ("keywords", ["x" * 61], "keywords[0]", "between 1 and 60"),
    ("keywords", "child protection", "keywords", "must be a list"),
    ("maintainers", [], "maintainers", "between 1 and 20"),
    ("maintainers", [{"name": "Team"}], "maintainers[0].email", "Add the maintainer's `email:`"),
    (
        "maintainers",
        [{"name": "Team", "email": "not-an-address"}],
        "maintainers[0].email",
        "not an e-mail address",
    ),
    (
        "maintainers",
        [{"name": "Team", "email": "a@b.c", "phone": "x"}],
        "maintainers[0].phone",
        "Allowed here: name, email",
    ),
    ("maintainers", "csc-systems@example.gov.uk", "maintainers", "must be a list"),
    ("maintainers", [{"name": "T", "email": "a@b.cc\n"}], "maintainers[0].email", "not an e-mail"),
    (
        "depends",
        {"family-safeguarding-forms": ">=1"},
        "depends.family-safeguarding-forms",
        "publisher/name",
    ),
    (
        "depends",
        {"hertfordshire/forms": ">>1"},
        "depends.hertfordshire/forms",
        "not a version comparison",
    ),
    ("depends", {"hertfordshire/forms": 2}, "depends.hertfordshire/forms", "must be text"),
    (
        "depends",
        {"hertfordshire/family-safeguarding-cp-workflow": ">=1.0.0"},
        "depends.hertfordshire/family-safeguarding-cp-workflow",
        "itself",
    ),
    ("depends", ["hertfordshire/forms"], "depends", "maps publisher/name"),
    ("statutory_returns", "ssda903", "statutory_returns", "must be a list"),
    ("statutory_returns", ["ssda903"], "statutory_returns[0]", "mapping with `id:`"),
    (
        "statutory_returns",
        [{"id": "ssda-904", "years": ["2025-26"]}],
        "statutory_returns[0].id",
        "Did you mean ssda903",
    ),
    (
        "statutory_returns",
        [{"years": ["2025-26"]}],
        "statutory_returns[0].id",
        "Add `id:`",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903"}],
        "statutory_returns[0].years",
        "Add `years:`",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": []}],
        "statutory_returns[0].years",
        "between 1 and 30",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": "2025-26"}],
        "statutory_returns[0].years",
        "must be a list",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["2025-27"]}],
        "statutory_returns[0].years[0]",
        "not a collection year",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["2025/26"]}],
        "statutory_returns[0].years[0]",
        "e.g. 2025-26",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["25-26"]}],
        "statutory_returns[0].years[0]",
        "not a collection year",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": [2025]}],
        "statutory_returns[0].years[0]",
        "must be text",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["2025-26", "2025-26"]}],
        "statutory_returns[0].years[1]",
        "listed twice",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["2025-26"]}, {"id": "903", "years": ["2026-27"]}],
        "statutory_returns[1].id",
        "listed twice",
    ),
    (
        "statutory_returns",
        [{"id": "ssda903", "years": ["2025-26"], "year": "2025-26"}],
        "statutory_returns[0].year",
        "Did you mean `years`?",
    ),
]


@pytest.mark.parametrize(
    ("field", "value", "where", "words"), WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)]
)
def test_each_field_wrong_in_turn_is_named_with_what_to_fix(field, value, where, words):
    problems = problems_of(manifest_bytes(**{field: value}))
    assert [p.where for p in problems] == [where], problems
    assert words in problems[0].message
    assert problems[0].line is not None


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "publisher",
        "version",
        "title",
        "summary",
        "licence",
        "supplier",
        "products",
        "service_areas",
        "kinds",
        "maintainers",
    ],
)
def test_each_required_field_missing_says_what_to_add(field):
    problems = problems_of(manifest_bytes(**{field: ...}))
    assert [p.where for p in problems] == [field]
    assert problems[0].message.startswith(f"Add `{field}:`")


@pytest.mark.parametrize(
    "field",
    ["practice_models", "organisation_structures", "keywords", "depends", "statutory_returns"],
)
def test_optional_fields_may_be_left_out(field):
    assert problems_of(manifest_bytes(**{field: ...})) == []


def test_statutory_returns_are_normalised_and_their_years_kept_in_order():
    result = parse_manifest(
        manifest_bytes(
            statutory_returns=[
                {"id": "903", "years": ["2025-26", "2026-27"]},
                {"id": "annex-a", "years": ["2026-27"]},
                {"id": "cin-census", "years": ["2099-00"]},
            ]
        )
    )
    assert result.problems == []
    assert result.manifest["statutory_returns"] == [
        {"id": "ssda903", "years": ["2025-26", "2026-27"]},
        {"id": "ofsted-annex-a", "years": ["2026-27"]},
        {"id": "cin-census", "years": ["2099-00"]},
    ]
    wheres = {n.where for n in result.notices}
    assert {"statutory_returns[0].id", "statutory_returns[1].id"} <= wheres


def test_unquoted_collection_years_are_read_as_text():
    text = (
        manifest_bytes().decode()
        + "statutory_returns:\n  - id: sen2\n    years: [2025-26, 2026-27]\n"
    )
    result = parse_manifest(text.encode())
    assert result.problems == []
    assert result.manifest["statutory_returns"] == [{"id": "sen2", "years": ["2025-26", "2026-27"]}]


@pytest.mark.parametrize(
    ("field", "value", "successor"),
    [
        ("practice_models", ["supporting-families"], "family-help"),
        ("practice_models", ["troubled-families"], "family-help"),  # an alias of a deprecated term
        ("organisation_structures", ["family-help-teams"], "family-help-service"),
        ("statutory_returns", [{"id": "salt", "years": ["2023-24"]}], "cld"),
        ("statutory_returns", [{"id": "lps", "years": ["2025-26"]}], "dols"),
    ],
)
def test_a_deprecated_value_stays_valid_with_a_notice_naming_its_successor(field, value, successor):
    result = parse_manifest(manifest_bytes(**{field: value}))
    assert result.problems == []
    notices = [n.message for n in result.notices if "deprecated" in n.message]
    assert len(notices) == 1
    assert f"Use '{successor}'" in notices[0]
    assert "stays valid" in notices[0]


def test_a_current_value_has_no_deprecation_notice():
    result = parse_manifest(manifest_bytes(practice_models=["family-help"]))
    assert result.problems == [] and result.notices == []


def test_unknown_key_is_an_error_with_a_suggestion():
    problems = problems_of(manifest_bytes(licence=..., license="OGL-UK-3.0"))
    messages = {p.where: p.message for p in problems}
    assert "Did you mean `licence`?" in messages["license"]
    assert messages["licence"].startswith("Add `licence:`")
    assert {p.code for p in problems} == {"unknown-key", "invalid"}


def test_every_problem_is_reported_at_once():
    data = manifest_bytes(name="Bad Name", version="one", supplier="acme", kinds=[], colour="red")
    wheres = sorted(p.where for p in problems_of(data))
    assert wheres == ["colour", "kinds", "name", "supplier", "version"]


def test_problems_carry_the_line_of_the_field():
    text = b"""name: ok-name
publisher: herts
version: 1.0.0
title: T
summary: S
licence: MIT
supplier: system-c
products: [{id: lcs}]
service_areas: [childrens-social-care]
kinds: [workflow]
maintainers:
  - name: Team
    email: nope
"""
    (problem,) = problems_of(text)
    assert (problem.where, problem.line) == ("maintainers[0].email", 13)


# Hostile YAML: each must be refused with a clear message, quickly, without expansion.
BILLION_LAUGHS = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
HOSTILE = [
    ("billion-laughs", BILLION_LAUGHS, "aliases", 2),
    ("simple-alias", b"name: &n x\ntitle: *n\n", "aliases", 2),
    ("python-object", b"name: !!python/object/apply:os.system ['echo pwned']\n", "tags", 1),
    ("python-name", b"name: !!python/name:os.system\n", "tags", 1),
    ("binary-tag", b"name: !!binary aGVsbG8=\n", "tags", 1),
    ("custom-tag", b"name: !include other.yaml\n", "tags", 1),
    ("set-tag", b"kinds: !!set {workflow: null}\n", "tags", 1),
    ("duplicate-key", b"name: a\nversion: 1.0.0\nname: b\n", "twice", 3),
    ("deep-nesting", b"name: " + b"[" * 5000 + b"]" * 5000 + b"\n", "levels deep", 1),
    ("broken-yaml", b"name: [unclosed\n", "not valid YAML", None),
    ("tab-indent", b"name: a\n\tversion: 1\n", "not valid YAML", None),
    ("top-level-list", b"- name: a\n", "must be a mapping", 1),
    ("top-level-scalar", b"just text\n", "must be a mapping", 1),
    ("empty", b"", "empty", 1),
    ("only-comments", b"# nothing\n", "empty", 1),
]


@pytest.mark.parametrize(("case", "data", "words", "line"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_yaml_is_refused_with_a_message(case, data, words, line):
    result = parse_manifest(data)
    assert result.manifest is None
    (problem,) = result.problems
    assert problem.where == "cmspack.yaml"
    assert words in problem.message
    if line is not None:
        assert problem.line == line


def test_binary_manifest_is_refused():
    (problem,) = problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problem.code == "binary"


def test_non_utf8_manifest_is_refused():
    (problem,) = problems_of("name: caf\u00e9\n".encode("latin-1"))
    assert problem.code == "encoding" and "UTF-8" in problem.message


def test_utf8_bom_is_accepted():
    assert problems_of(b"\xef\xbb\xbf" + manifest_bytes()) == []


def test_oversize_manifest_is_refused_before_parsing():
    data = manifest_bytes(summary="ok") + b"# " + b"x" * 70_000 + b"\n"
    (problem,) = problems_of(data)
    assert problem.code == "too-large" and "65,536" in problem.message
    small = Limits(max_manifest_bytes=100)
    assert parse_manifest(manifest_bytes(), small).problems[0].code == "too-large"


def test_yaml_booleans_and_numbers_are_not_mistaken_for_text():
    # `name: yes` is a boolean in YAML 1.1 and `version: 1.0` a number: both must be quoted.
    problems = problems_of(manifest_bytes(name=True, version=1.0))
    assert {p.where for p in problems} == {"name", "version"}


@pytest.mark.parametrize(
    "text",
    [
        "MASH\x00triage",
        "MASH \x1b[31mtriage",
        "triage \u202egnp.exe",
        "zero\u200bwidth",
        "lone \ud800 surrogate",
    ],
)
def test_control_and_invisible_characters_are_refused_in_text(text):
    data = manifest_bytes().replace(
        b"title: Family Safeguarding child protection workflow",
        b'title: "' + text.encode("unicode_escape").replace(b"\\\\", b"\\") + b'"',
    )
    problems = problems_of(data)
    assert [(p.where, p.code) for p in problems] == [("title", "control-character")], problems


def test_newlines_in_a_folded_summary_are_allowed():
    data = manifest_bytes().replace(b"summary: Workflow steps", b"summary: >\n  Workflow steps")
    assert problems_of(data) == []
