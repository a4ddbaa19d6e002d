"""Reading approved versions: file lists with SHA-256, single files, versions, archives."""

from __future__ import annotations

import hashlib

import pytest

from registry.packs.build import build_tar_gz, build_zip
from registry.store import ContentStore, InvalidRef, NotFound

from .helpers import approve, archive, pack


def test_list_files_gives_size_and_content_sha256(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0", docs__guide=b"read me")
    listing = store.list_files("essex", "roles", "1.0.0")
    files = pack("1.0.0", docs__guide=b"read me")
    assert [f.path for f in listing] == sorted(files)
    for f in listing:
        assert f.size == len(files[f.path])
        assert f.sha256 == hashlib.sha256(files[f.path]).hexdigest()


def test_read_file_and_files(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    assert store.read_file("essex", "roles", "1.0.0", "config/workflow.xml").startswith(b"<work")
    assert store.files("essex", "roles", "1.0.0") == pack("1.0.0")


@pytest.mark.parametrize("path", ["missing.txt", "config", "config/workflow.xml/x", "README.md/a"])
def test_read_file_not_found(store: ContentStore, path: str) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    with pytest.raises(NotFound):
        store.read_file("essex", "roles", "1.0.0", path)


def test_unknown_versions_and_packs_are_not_found(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    with pytest.raises(NotFound, match=r"no approved version 2\.0\.0"):
        store.list_files("essex", "roles", "2.0.0")
    with pytest.raises(NotFound):
        store.tag_info("kent", "roles", "1.0.0")
    with pytest.raises(NotFound):
        store.submission(42)
    assert store.versions("kent", "roles") == []


def test_versions_are_sorted_by_semver_precedence(store: ContentStore) -> None:
    for sid, version in enumerate(["1.10.0", "1.2.0", "1.2.0-rc.1", "0.9.0", "1.2.0-alpha"], 1):
        approve(store, sid, "essex", "roles", version)
    approve(store, 9, "essex", "roles-extra", "5.0.0")  # a name sharing the prefix
    assert store.versions("essex", "roles") == [
        "0.9.0",
        "1.2.0-alpha",
        "1.2.0-rc.1",
        "1.2.0",
        "1.10.0",
    ]


def test_reading_an_uninitialised_store_finds_nothing(tmp_path) -> None:
    with ContentStore(tmp_path / "content.git") as store:
        assert not store.is_ready()
        assert store.head() is None
        assert store.versions("essex", "roles") == []
        with pytest.raises(NotFound):
            store.files("essex", "roles", "1.0.0")


def test_archives_equal_the_contributors_build(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0", docs__img=b"\x89PNG\0binary")
    files = pack("1.0.0", docs__img=b"\x89PNG\0binary")
    zipped = archive(store, "essex", "roles", "1.0.0", "zip")
    assert zipped == build_zip(files).data
    assert archive(store, "essex", "roles", "1.0.0", "zip") == zipped
    assert archive(store, "essex", "roles", "1.0.0", "tar.gz") == build_tar_gz(files).data
    assert store.archive_sha256("essex", "roles", "1.0.0", "zip") == build_zip(files).sha256
    with pytest.raises(InvalidRef):
        archive(store, "essex", "roles", "1.0.0", "rar")


def test_a_cached_archive_is_read_not_rebuilt(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    first = store.archive_file("essex", "roles", "1.0.0", "zip")
    stat = first.path.stat()
    again = store.archive_file("essex", "roles", "1.0.0", "zip")
    assert again == first
    # A rebuild writes a new file by rename: a new inode and a new modification time.
    assert (again.path.stat().st_ino, again.path.stat().st_mtime_ns) == (
        stat.st_ino,
        stat.st_mtime_ns,
    )
    assert first.path.parent == store.archives.folder
    assert first.path.name == f"{first.sha256}.zip"


def test_a_deleted_cache_file_is_rebuilt(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    first = store.archive_file("essex", "roles", "1.0.0", "tar.gz")
    first.path.unlink()
    assert archive(store, "essex", "roles", "1.0.0", "tar.gz") == build_tar_gz(pack()).data


def test_a_fresh_store_object_reuses_the_cache(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    first = store.archive_file("essex", "roles", "1.0.0", "zip")
    inode = first.path.stat().st_ino
    with ContentStore(store.repo.path, store.archives.folder) as other:
        assert other.archive_file("essex", "roles", "1.0.0", "zip").path.stat().st_ino == inode


def test_file_listing_is_served_from_cache_after_the_first_read(tmp_path):
    from registry.store import ContentStore

    with ContentStore(tmp_path / "content.git") as store:
        store.init()
        files = {"cmspack.yaml": b"name: x\n", "README.md": b"# X\n"}
        store.submit(1, "herts", "cached-pack", files)
        store.approve(1, "herts", "cached-pack", "1.0.0", approver="mod")
        first = store.list_files("herts", "cached-pack", "1.0.0")
        store.close()  # the git reader is gone; a cached listing needs no object reads
        store._blob = None  # any blob read now would fail loudly
        assert store.list_files("herts", "cached-pack", "1.0.0") == first
