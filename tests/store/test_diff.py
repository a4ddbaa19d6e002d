"""Diffs between versions, and of a pending submission against the newest approved version."""

from __future__ import annotations

from registry.store import ContentStore
from registry.store.diff import compare

from .helpers import approve, pack


def test_diff_lists_added_removed_and_changed(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0", old__notes=b"gone\n", docs__img=b"\0\1\2")
    files = pack("1.1.0", docs__img=b"\0\1\3", docs__new=b"hello\n")
    store.submit(2, "essex", "roles", files)
    store.approve(2, "essex", "roles", "1.1.0", approver="m")
    result = store.diff("essex", "roles", "1.0.0", "1.1.0")
    assert [c.path for c in result.added] == ["docs/new"]
    assert [c.path for c in result.removed] == ["old/notes"]
    assert [c.path for c in result.changed] == ["cmspack.yaml", "docs/img"]
    manifest, image = result.changed
    assert manifest.diff == (
        "--- a/cmspack.yaml\n+++ b/cmspack.yaml\n@@ -1,2 +1,2 @@\n"
        " name: cp-workflow\n-version: 1.0.0\n+version: 1.1.0\n"
    )
    assert not manifest.binary
    assert image.binary and image.diff is None and (image.old_size, image.new_size) == (3, 3)
    assert result.added[0].diff == "--- /dev/null\n+++ b/docs/new\n@@ -0,0 +1 @@\n+hello\n"
    assert result.removed[0].new_size is None
    assert not result.truncated
    as_json = result.to_dict()
    assert as_json["changed"][1]["binary"] is True


def test_a_missing_final_newline_is_marked(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0", a=b"one\ntwo")
    approve(store, 2, "essex", "roles", "1.0.1", a=b"one\nthree")
    (change,) = [c for c in store.diff("essex", "roles", "1.0.0", "1.0.1").changed if c.path == "a"]
    assert "-two\n\\ No newline at end of file\n+three\n\\ No newline at end of file\n" in (
        change.diff or ""
    )


def test_diff_size_is_capped_with_a_note() -> None:
    blobs = {"o1": b"a\n" * 50, "n1": b"b\n" * 50, "o2": b"c\n", "n2": b"d\n"}
    result = compare(
        {"big": "o1", "small": "o2"},
        {"big": "n1", "small": "n2"},
        blobs.__getitem__,
        "1.0.0",
        "1.1.0",
        max_chars=100,
    )
    big, small = result.changed
    assert result.truncated
    assert big.diff is None and "left out" in (big.note or "")
    assert small.diff is not None  # smaller diffs still fit in what is left


def test_non_utf8_text_is_treated_as_binary() -> None:
    blobs = {"o": "café\n".encode("latin-1"), "n": b"cafe\n"}
    result = compare({"f": "o"}, {"f": "n"}, blobs.__getitem__, "1", "2")
    assert result.changed[0].binary


def test_diff_submission_against_the_newest_version(store: ContentStore) -> None:
    store.submit(1, "essex", "roles", pack("1.0.0"))
    first = store.diff_submission(1, "essex", "roles")
    assert first.from_version is None and first.to_version is None
    assert sorted(c.path for c in first.added) == sorted(pack())
    store.approve(1, "essex", "roles", "1.0.0", approver="m")
    approve(store, 2, "essex", "roles", "1.1.0")
    store.submit(3, "essex", "roles", pack("1.2.0"))
    result = store.diff_submission(3, "essex", "roles")
    assert result.from_version == "1.1.0"
    assert [c.path for c in result.changed] == ["cmspack.yaml"]
    against_old = store.diff_submission(3, "essex", "roles", against="1.0.0")
    assert against_old.from_version == "1.0.0"


def test_identical_versions_have_an_empty_diff(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    assert store.diff("essex", "roles", "1.0.0", "1.0.0").empty
