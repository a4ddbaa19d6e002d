"""Semantic Versioning 2.0.0 and version ranges."""

from __future__ import annotations

import pytest

from registry.packs.versions import (
    SemVer,
    VersionError,
    is_semver,
    parse_specifier,
    satisfies,
)


@pytest.mark.parametrize(
    "text",
    [
        "0.0.0",
        "1.2.3",
        "10.20.30",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-0.3.7",
        "1.0.0-x.7.z.92",
        "1.0.0+20130313144700",
        "1.0.0-beta+exp.sha.5114f85",
    ],
)
def test_valid_versions(text):
    assert is_semver(text)
    assert str(SemVer.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.02.3",
        "v1.2.3",
        "1.2.3-",
        "1.2.3-01",
        "1.2.3+",
        " 1.2.3",
        "1.2.3\n",
        "",
        "1.0.0-" + "a" * 70,
        "1\u0661.0.0",  # an Arabic-Indic digit: int() would read it, SemVer does not allow it
    ],
)
def test_invalid_versions(text):
    assert not is_semver(text)
    with pytest.raises(VersionError):
        SemVer.parse(text)


def test_precedence_follows_the_specification():
    # The example list from semver.org §11, in ascending order.
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.10.0",
        "2.0.0",
    ]
    assert sorted(reversed(ordered), key=SemVer.parse) == ordered
    assert SemVer.parse("1.0.0+build.1") == SemVer.parse("1.0.0+build.2")


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.5.0", ">=1.0.0,<2", True),
        ("2.0.0", ">=1.0.0,<2", False),
        ("1.0.0", "==1.0.0", True),
        ("1.0.1", "==1.0.0", False),
        ("1.2.7", "==1.2", True),
        ("1.3.0", "==1.2", False),
        ("1.4.9", "~=1.4", True),
        ("2.0.0", "~=1.4", False),
        ("1.4.5", "~=1.4.2", True),
        ("1.5.0", "~=1.4.2", False),
        ("1.9.0", "^1.2", True),
        ("2.0.0", "^1.2", False),
        ("0.2.5", "^0.2.1", True),
        ("0.3.0", "^0.2.1", False),
        ("1.0.0", "!=1.0.0", False),
        ("1.0.0", "> 0.9.0, <= 1.0.0", True),
    ],
)
def test_specifiers(version, spec, expected):
    assert satisfies(version, spec) is expected


@pytest.mark.parametrize(
    "spec", ["", ">>1", "=>1.0", "1.x", ">=1.0.0;<2", "~=1", "latest", ",", "a" * 201]
)
def test_bad_specifiers_say_what_a_range_looks_like(spec):
    with pytest.raises(VersionError):
        parse_specifier(spec)
