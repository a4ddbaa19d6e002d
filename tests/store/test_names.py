"""Hostile or malformed names are refused before git runs at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.store import ContentStore, InvalidRef
from registry.store.names import check_path, check_submission_id

from .helpers import pack

HOSTILE = [
    "../x",
    "-x",
    "--upload-pack=touch /tmp/pwned",
    "main~1",
    "HEAD",
    "@{-1}",
    "with space",
    "a/b",
    "UPPER",
    "x" * 65,
    "",
    "a\nb",
    "refs/heads/main",
    "-",
    "trailing-",
]
BAD_VERSIONS = [
    "1.0",
    "v1.0.0",
    "01.0.0",
    "1.0.0 ",
    "1.0.0\n",
    "1.0.0-a..b",
    "HEAD",
    "1.0.0-x.lock",
]
BAD_VERSIONS += ["1.0.0/../../x", "--version", "1.0.0@{-1}", "١.0.0", "1١.0.0", "1.0.0+"]
BAD_IDS = [0, -1, True, "0", "../1", "-1", "1 2", "main~1", "HEAD", "@{-1}", 1.5, None, "x" * 40]


@pytest.fixture
def untouched(tmp_path: Path):
    """A store that was never initialised: any git call would fail with another error."""
    store = ContentStore(tmp_path / "content.git")
    yield store
    assert store.repo._handle is None  # the repository was never opened: no git process ran
    assert not (tmp_path / "content.git").exists()
    store.close()


CALLS: list[Callable[[ContentStore, str], object]] = [
    lambda s, v: s.submit(1, v, "roles", pack()),
    lambda s, v: s.submit(1, "essex", v, pack()),
    lambda s, v: s.approve(1, v, "roles", "1.0.0", approver="m"),
    lambda s, v: s.approve(1, "essex", v, "1.0.0", approver="m"),
    lambda s, v: s.versions(v, "roles"),
    lambda s, v: s.files("essex", v, "1.0.0"),
    lambda s, v: s.list_files(v, "roles", "1.0.0"),
    lambda s, v: s.archive_file("essex", v, "1.0.0", "zip"),
    lambda s, v: s.diff(v, "roles", "1.0.0", "1.1.0"),
    lambda s, v: s.diff_submission(1, "essex", v),
    lambda s, v: s.submission_files(1, v, "roles"),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("call", range(len(CALLS)))
def test_hostile_publisher_or_name(untouched: ContentStore, value: str, call: int) -> None:
    with pytest.raises(InvalidRef):
        CALLS[call](untouched, value)


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_bad_versions(untouched: ContentStore, version: str) -> None:
    with pytest.raises(InvalidRef):
        untouched.approve(1, "essex", "roles", version, approver="m")
    with pytest.raises(InvalidRef):
        untouched.files("essex", "roles", version)
    with pytest.raises(InvalidRef):
        untouched.diff("essex", "roles", "1.0.0", version)


@pytest.mark.parametrize("sid", BAD_IDS)
def test_bad_submission_ids(untouched: ContentStore, sid: object) -> None:
    with pytest.raises(InvalidRef):
        untouched.submit(sid, "essex", "roles", pack())  # type: ignore[arg-type]
    with pytest.raises(InvalidRef):
        untouched.drop_submission(sid)  # type: ignore[arg-type]
    with pytest.raises(InvalidRef):
        untouched.approve(sid, "essex", "roles", "1.0.0", approver="m")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../x",
        "a/../b",
        "./a",
        "a//b",
        "a/",
        "-rf",
        "docs/--upload-pack=x",
        "a\\b",
        "a\nb",
        "a\0b",
        ".git/config",
        "docs/.GIT/x",
        ".gitmodules",
        "x/.gitattributes",
        "GIT~1/x",
        ".g\u200cit/hooks",
        "x" * 256,
        "",
    ],
)
def test_bad_file_paths(untouched: ContentStore, path: str) -> None:
    with pytest.raises(InvalidRef):
        untouched.submit(1, "essex", "roles", {path: b"x", "README.md": b"#"})
    with pytest.raises(InvalidRef):
        untouched.read_file("essex", "roles", "1.0.0", path)


def test_a_file_where_a_folder_should_be(untouched: ContentStore) -> None:
    with pytest.raises(InvalidRef, match="folder"):
        untouched.submit(1, "essex", "roles", {"docs": b"x", "docs/a.txt": b"y"})
    with pytest.raises(InvalidRef):
        untouched.submit(1, "essex", "roles", {})
    with pytest.raises(InvalidRef):
        untouched.submit(1, "essex", "roles", {"a.txt": "not bytes"})  # type: ignore[dict-item]


def test_approver_and_note_are_checked(untouched: ContentStore) -> None:
    with pytest.raises(InvalidRef):
        untouched.approve(1, "essex", "roles", "1.0.0", approver="  ")
    with pytest.raises(InvalidRef):
        untouched.approve(1, "essex", "roles", "1.0.0", approver="m", note="x" * 10_001)


def test_good_names_pass() -> None:
    assert check_submission_id(42) == check_submission_id("042") == "42"
    assert check_submission_id("abc-123") == "abc-123"
    for path in ["README.md", "config/forms/a b.xml", "docs/café.pdf", "gitignore", "a.git"]:
        assert check_path(path) == path


def test_odd_but_valid_names_work_end_to_end(store: ContentStore) -> None:
    files = {"config/a b (v2).xml": b"<a/>", "docs/café.txt": "é".encode(), "README.md": b"#"}
    store.submit("tok-1", "a", "b-c", files)
    store.approve("tok-1", "a", "b-c", "1.0.0-RC.1+build.7", approver="m\nx", note="n\r\n\x07ok")
    assert store.files("a", "b-c", "1.0.0-RC.1+build.7") == files
    info = store.tag_info("a", "b-c", "1.0.0-RC.1+build.7")
    assert (info.approver, info.note) == ("m x", "n\nok")
