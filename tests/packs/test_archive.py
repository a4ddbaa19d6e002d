"""Reading packs from zips, tar.gz files and folders, and refusing hostile ones (SPEC §4)."""

from __future__ import annotations

import gzip
import io
import os
import random
import stat
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from registry.packs.archive import (
    FORBIDDEN_EXTENSIONS,
    READ_CHUNK,
    PackFiles,
    PackLimitError,
    check_path,
    read_archive,
    read_pack,
)
from registry.packs.build import build_tar_gz, build_zip, write_zip
from registry.packs.limits import DEFAULT_LIMITS, Limits, MiB
from registry.packs.problems import FatalPackError
from tests.hostile import (
    NEWLY_FORBIDDEN_EXTENSIONS,
    PE_PROGRAM,
    SIBLINGS,
    HostileCase,
    ZipMember,
    hostile_archives,
    tar_gz_bomb,
    tar_gz_bytes,
    tar_member,
    zip_bomb,
    zip_bytes,
)

CASES = hostile_archives()

PACK = {
    **SIBLINGS,
    "CHANGELOG.md": b"## 1.2.0\n",
    "config/forms/assessment.xml": b"<form id='a'/>\n",
    "config/reports/open cases \u2013 by team.sql": b"SELECT 1;\n",
    "config/workflows/caf\u00e9.json": b'{"steps": []}\n',
    "docs/screenshot.png": bytes(range(256)) * 4,
    "docs/empty.txt": b"",
}


def codes(problems: list) -> set[str]:
    return {problem.code for problem in problems}


def read_case(case: HostileCase, reader: Callable[[HostileCase], PackFiles]) -> None:
    """Read a hostile case and check it is refused the way the case says."""
    if case.fatal:
        with pytest.raises(FatalPackError) as caught:
            reader(case)
        problems = caught.value.problems
    else:
        pack = reader(case)
        problems = pack.problems
        assert set(pack.files) == case.accepted
        assert all(pack.files[path] == SIBLINGS[path] for path in SIBLINGS if path in pack.files)
    assert codes(problems) == case.codes
    for problem in problems:
        assert problem.where and problem.message
        problem.where.encode("utf-8")  # shown and stored as is: no undecodable bytes left in it
        problem.message.encode("utf-8")


# --- Every hostile archive, through both entry points --------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_archive_is_refused_as_an_upload(case: HostileCase) -> None:
    read_case(case, lambda c: read_archive(io.BytesIO(c.data), c.filename, c.limits))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_archive_is_refused_as_a_file(case: HostileCase, tmp_path: Path) -> None:
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    read_case(case, lambda c: read_pack(path, c.limits))


def test_hostile_cases_are_distinct_and_cover_the_spec() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    reported = set().union(*(case.codes for case in CASES))
    assert {
        "zip-slip",
        "absolute-path",
        "backslash",
        "symlink",
        "hard-link",
        "special-file",
        "invalid-utf8",
        "control-character",
        "name-too-long",
        "too-deep",
        "duplicate-path",
        "case-duplicate",
        "forbidden-extension",
        "not-an-archive",
        "corrupt-archive",
        "archive-too-large",
        "unpacked-too-large",
        "too-many-files",
        "overlapping-entries",
    } <= reported


# --- Valid packs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_valid_archive_round_trips(build: Callable) -> None:
    pack = read_archive(io.BytesIO(build(PACK).data), "pack")
    assert pack.files == dict(sorted(PACK.items()))
    assert list(pack.files) == sorted(PACK)
    assert pack.problems == []
    assert pack.stripped_root is None


def test_valid_folder_round_trips(tmp_path: Path) -> None:
    write_folder(tmp_path / "pack", PACK)
    pack = read_pack(str(tmp_path / "pack"))
    assert pack.files == dict(sorted(PACK.items()))
    assert pack.problems == []
    assert pack.stripped_root is None


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_archive_file_round_trips_whatever_its_name(build: Callable, tmp_path: Path) -> None:
    # the format is told by the bytes: a zip called .tar.gz (or the reverse) still reads
    path = tmp_path / "pack.tar.gz"
    path.write_bytes(build(PACK).data)
    assert read_pack(path).files == dict(sorted(PACK.items()))


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_upload_that_cannot_seek_is_read(build: Callable) -> None:
    data = build(PACK).data
    assert read_archive(Unseekable(data), "pack").files == dict(sorted(PACK.items()))


def test_upload_that_cannot_seek_is_stopped_at_the_archive_limit() -> None:
    data = build_zip(PACK).data
    limits = replace(DEFAULT_LIMITS, max_archive_bytes=len(data) - 1)
    with pytest.raises(PackLimitError) as caught:
        read_archive(Unseekable(data), "pack.zip", limits)
    assert codes(caught.value.problems) == {"archive-too-large"}
    assert "pack.zip" in caught.value.problems[0].message


def test_archive_at_exactly_the_limits_is_read() -> None:
    data = build_zip(PACK).data
    limits = Limits(
        max_archive_bytes=len(data),
        max_unpacked_bytes=sum(len(content) for content in PACK.values()),
        max_files=len(PACK),
        max_depth=3,
    )
    assert read_archive(io.BytesIO(data), "pack.zip", limits).files == dict(sorted(PACK.items()))


def test_empty_zip_reads_as_an_empty_pack() -> None:
    assert read_archive(io.BytesIO(zip_bytes([])), "empty.zip") == PackFiles({}, [], None)


def test_zip_with_zip64_end_records_is_read() -> None:
    data = zip_bytes(
        [ZipMember(path, content) for path, content in SIBLINGS.items()], zip64_end=True
    )
    assert read_archive(io.BytesIO(data), "pack.zip").files == dict(sorted(SIBLINGS.items()))


def test_deflated_zip_entries_are_read() -> None:
    # build_zip deflates; a zip written by zipfile with its defaults (and a folder entry) too
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config/", b"")
        for path, content in PACK.items():
            archive.writestr(path, content)
    assert read_archive(io.BytesIO(out.getvalue()), "pack.zip").files == dict(sorted(PACK.items()))


def test_zip_from_windows_without_unix_modes_is_read() -> None:
    # Explorer's "Send to compressed folder" stores DOS attributes and no Unix file type
    data = zip_bytes([ZipMember(path, content, mode=0) for path, content in SIBLINGS.items()])
    assert read_archive(io.BytesIO(data), "pack.zip").files == dict(sorted(SIBLINGS.items()))


def test_nested_archive_is_just_a_file() -> None:
    inner = build_zip({"evil.exe": b"MZ", "../x": b""}).data
    pack = read_archive(io.BytesIO(build_zip({**SIBLINGS, "docs/old.zip": inner}).data), "p.zip")
    assert pack.problems == []
    assert pack.files["docs/old.zip"] == inner


# --- Every problem at once -----------------------------------------------------------------------


def test_three_problems_are_all_reported_and_the_rest_is_read() -> None:
    data = zip_bytes(
        [
            *(ZipMember(path, content) for path, content in SIBLINGS.items()),
            ZipMember("../escape.txt", b"x"),
            ZipMember("docs/setup.bat", b"@echo off"),
            ZipMember("config/link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
            ZipMember("config/forms/a.xml", b"<a/>"),
        ]
    )
    pack = read_archive(io.BytesIO(data), "pack.zip")
    assert [(p.where, p.code) for p in pack.problems] == [
        ("../escape.txt", "zip-slip"),
        ("docs/setup.bat", "forbidden-extension"),
        ("config/link", "symlink"),
    ]
    assert set(pack.files) == {*SIBLINGS, "config/forms/a.xml"}


def test_one_entry_with_several_naming_problems_reports_each() -> None:
    name = "/".join(["d"] * DEFAULT_LIMITS.max_depth) + "/con.exe"
    assert codes(check_path(name, DEFAULT_LIMITS)) == {
        "too-deep",
        "windows-name",
        "forbidden-extension",
    }


def test_an_unsafe_path_is_reported_once_for_its_first_fault() -> None:
    # once a path is unsafe, what its parts or extension would mean is moot
    assert codes(check_path("/etc/passwd", DEFAULT_LIMITS)) == {"absolute-path"}
    assert codes(check_path("..\\setup.exe", DEFAULT_LIMITS)) == {"backslash"}


def test_duplicates_leave_out_every_copy_and_name_the_other() -> None:
    data = zip_bytes(
        [
            *(ZipMember(path, content) for path, content in SIBLINGS.items()),
            ZipMember("config/Forms.xml", b"one"),
            ZipMember("config/forms.xml", b"two"),
        ]
    )
    pack = read_archive(io.BytesIO(data), "pack.zip")
    assert [(p.where, p.code) for p in pack.problems] == [("config/forms.xml", "case-duplicate")]
    assert "config/Forms.xml" in pack.problems[0].message
    assert set(pack.files) == set(SIBLINGS)


# --- The folder that wraps a pack ----------------------------------------------------------------


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_single_wrapping_folder_is_stripped(build: Callable) -> None:
    wrapped = {f"family-safeguarding-cp-workflow/{path}": data for path, data in PACK.items()}
    pack = read_archive(io.BytesIO(build(wrapped).data), "pack")
    assert pack.files == dict(sorted(PACK.items()))
    assert pack.stripped_root == "family-safeguarding-cp-workflow"


def test_wrapping_folder_with_its_own_folder_entries_is_stripped() -> None:
    data = zip_bytes(
        [
            ZipMember("pack-main/", mode=stat.S_IFDIR | 0o755),
            ZipMember("pack-main/config/", mode=stat.S_IFDIR | 0o755),
            *(ZipMember(f"pack-main/{path}", content) for path, content in SIBLINGS.items()),
        ]
    )
    pack = read_archive(io.BytesIO(data), "pack.zip")
    assert (pack.files, pack.problems, pack.stripped_root) == (
        dict(sorted(SIBLINGS.items())),
        [],
        "pack-main",
    )


@pytest.mark.parametrize(
    "paths",
    [
        ["a/cmspack.yaml", "b/README.md"],  # two top-level folders
        ["pack/cmspack.yaml", "README.md"],  # a file beside the folder
        ["pack/config/a/b.xml", "pack/config/a/c.xml", "other/d.xml"],
        ["cmspack.yaml"],  # a file alone is not wrapped
    ],
)
def test_only_a_single_wrapping_folder_is_stripped(paths: list[str]) -> None:
    pack = read_archive(io.BytesIO(build_zip(dict.fromkeys(paths, b"x")).data), "pack.zip")
    assert set(pack.files) == set(paths)
    assert pack.stripped_root is None


def test_only_the_outermost_folder_is_stripped() -> None:
    files = {"outer/inner/cmspack.yaml": b"x", "outer/inner/README.md": b"y"}
    pack = read_archive(io.BytesIO(build_zip(files).data), "pack.zip")
    assert set(pack.files) == {"inner/cmspack.yaml", "inner/README.md"}


def test_problems_name_the_path_inside_the_archive_and_depth_ignores_the_wrapper() -> None:
    deep = "/".join(["d"] * (DEFAULT_LIMITS.max_depth - 1)) + "/ok.txt"
    files = {"pack/cmspack.yaml": b"x", f"pack/{deep}": b"y", "pack/docs/run.js": b"z"}
    pack = read_archive(io.BytesIO(build_zip(files).data), "pack.zip")
    assert [(p.where, p.code) for p in pack.problems] == [
        ("pack/docs/run.js", "forbidden-extension")
    ]
    assert set(pack.files) == {"cmspack.yaml", deep}


def test_finder_zip_is_stripped_and_its_metadata_dropped() -> None:
    # macOS Finder's "Compress" adds __MACOSX/ and ._ files; Explorer can leave Thumbs.db
    data = zip_bytes(
        [
            *(ZipMember(f"pack/{path}", content) for path, content in SIBLINGS.items()),
            ZipMember("pack/.DS_Store", b"\0\0\0\1Bud1"),
            ZipMember("pack/docs/Thumbs.db", b"thumbs"),
            ZipMember("__MACOSX/pack/._README.md", b"\0\5\26\7"),
            ZipMember("__MACOSX/pack/._evil.exe", b"\0\5\26\7"),
        ]
    )
    pack = read_archive(io.BytesIO(data), "pack.zip")
    assert (pack.files, pack.problems, pack.stripped_root) == (
        dict(sorted(SIBLINGS.items())),
        [],
        "pack",
    )


def test_git_files_in_an_archive_are_reported_under_their_archive_names() -> None:
    files = {
        **{f"cp-workflow-main/{path}": data for path, data in SIBLINGS.items()},
        "cp-workflow-main/.gitignore": b"*.tmp\n",
        "cp-workflow-main/.gitattributes": b"* export-ignore\n",
        "cp-workflow-main/.github/workflows/check.yml": b"on: push\n",
        "cp-workflow-main/config/.gitkeep": b"",
    }
    pack = read_archive(io.BytesIO(build_zip(files).data), "cp-workflow-main.zip")
    assert sorted((p.where, p.code) for p in pack.problems) == [
        ("cp-workflow-main/.gitattributes", "git-metadata"),
        ("cp-workflow-main/.github/workflows/check.yml", "git-metadata"),
        ("cp-workflow-main/.gitignore", "git-metadata"),
        ("cp-workflow-main/config/.gitkeep", "git-metadata"),
    ]
    assert (pack.files, pack.stripped_root) == (dict(sorted(SIBLINGS.items())), "cp-workflow-main")


def test_tar_of_a_folder_made_with_dot_is_read() -> None:
    # tar -czf pack.tgz -C pack . names the folder "./" and every file "./name"
    data = tar_gz_bytes(
        [
            tar_member("./", type=tarfile.DIRTYPE),
            *(tar_member(f"./{path}", content) for path, content in SIBLINGS.items()),
            tar_member("./._README.md", b"\0\5\26\7"),
        ]
    )
    pack = read_archive(io.BytesIO(data), "pack.tgz")
    assert (pack.files, pack.problems, pack.stripped_root) == (
        dict(sorted(SIBLINGS.items())),
        [],
        None,
    )


def test_folder_is_never_stripped(tmp_path: Path) -> None:
    write_folder(tmp_path / "outer", {f"pack/{path}": data for path, data in SIBLINGS.items()})
    pack = read_pack(tmp_path / "outer")
    assert set(pack.files) == {f"pack/{path}" for path in SIBLINGS}
    assert pack.stripped_root is None


# --- Bombs stop early ----------------------------------------------------------------------------


@pytest.mark.parametrize("limits", [Limits(max_unpacked_bytes=8 * MiB), DEFAULT_LIMITS])
def test_zip_bomb_stops_just_past_the_limit(limits: Limits) -> None:
    bomb = zip_bomb()
    with pytest.raises(PackLimitError) as caught:
        read_archive(io.BytesIO(bomb), "bomb.zip", limits)
    error = caught.value
    assert codes(error.problems) == {"unpacked-too-large"}
    assert limits.max_unpacked_bytes < error.unpacked_bytes
    assert error.unpacked_bytes <= limits.max_unpacked_bytes + 2 * READ_CHUNK
    # about a thousandth of what was unpacked, plus the directory and a read-ahead
    assert error.archive_bytes_read < limits.max_unpacked_bytes // 1000 + 256 * 1024
    assert error.archive_bytes_read < len(bomb) // 2


@pytest.mark.parametrize("limits", [Limits(max_unpacked_bytes=8 * MiB), DEFAULT_LIMITS])
def test_gzip_bomb_stops_just_past_the_limit(limits: Limits) -> None:
    bomb = tar_gz_bomb()
    with pytest.raises(PackLimitError) as caught:
        read_archive(io.BytesIO(bomb), "bomb.tar.gz", limits)
    error = caught.value
    assert codes(error.problems) == {"unpacked-too-large"}
    assert limits.max_unpacked_bytes < error.unpacked_bytes
    assert error.unpacked_bytes <= limits.max_unpacked_bytes + 2 * READ_CHUNK
    assert error.archive_bytes_read < limits.max_unpacked_bytes // 1000 + 512 * 1024
    assert error.archive_bytes_read < len(bomb) // 2


def test_data_tarfile_skips_is_counted_too() -> None:
    limits = Limits(max_unpacked_bytes=8 * MiB, max_files=100)
    bomb = tar_gz_bomb(member_type=b"Z")  # a type the reader refuses without reading it
    with pytest.raises(PackLimitError) as caught:
        read_archive(io.BytesIO(bomb), "bomb.tar.gz", limits)
    assert codes(caught.value.problems) == {"unpacked-too-large"}
    assert caught.value.unpacked_bytes == 0  # no file content: tarfile read it for itself
    assert caught.value.archive_bytes_read < len(bomb) // 4


def test_limits_error_says_what_was_passed() -> None:
    with pytest.raises(PackLimitError) as caught:
        read_archive(io.BytesIO(zip_bomb()), "bomb.zip", Limits(max_unpacked_bytes=8 * MiB))
    message = caught.value.problems[0].message
    assert "bomb.zip" in message and "8 MiB" in message


def test_too_many_files_says_the_limit_and_how_many_were_seen() -> None:
    files = {f"f/{i}.txt": b"" for i in range(12)}
    with pytest.raises(PackLimitError) as caught:
        read_archive(io.BytesIO(build_tar_gz(files).data), "many.tgz", Limits(max_files=10))
    assert "more than 10 files" in caught.value.problems[0].message
    assert "11" in caught.value.problems[0].message
    assert caught.value.entries == 11


def test_folders_do_not_count_as_files() -> None:
    members = [ZipMember(f"d{i}/", mode=stat.S_IFDIR | 0o755) for i in range(5)]
    members += [ZipMember(f"d{i}/a.txt", b"x") for i in range(5)]
    pack = read_archive(io.BytesIO(zip_bytes(members)), "p.zip", Limits(max_files=5))
    assert len(pack.files) == 5


# --- Folders -------------------------------------------------------------------------------------


def test_folder_symlinks_and_special_files_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    write_folder(root, SIBLINGS)
    (tmp_path / "secret.txt").write_text("secret")
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "docs").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(root / "config" / "pipe")
    pack = read_pack(root)
    assert sorted((p.where, p.code) for p in pack.problems) == [
        ("config/link.txt", "symlink"),
        ("config/pipe", "special-file"),
        ("docs", "symlink"),
    ]
    assert set(pack.files) == set(SIBLINGS)


def test_folder_skips_git_and_operating_system_files(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    write_folder(root, {**SIBLINGS, ".git/config": b"[core]", ".git/hooks/pre-commit.sh": b"x"})
    write_folder(root, {".gitignore": b"*.tmp", "config/sub/.git": b"gitdir: ../../.git/x"})
    write_folder(root, {".DS_Store": b"x", "docs/Thumbs.db": b"x", "docs/._a.png": b"x"})
    pack = read_pack(root)
    assert (set(pack.files), pack.problems) == (set(SIBLINGS), [])


def test_folder_too_deep_is_reported_once_and_not_walked(tmp_path: Path) -> None:
    limits = Limits(max_depth=3)
    write_folder(tmp_path / "pack", {"a/b/c/d/e/f.txt": b"x", "a/b/ok.txt": b"y"})
    pack = read_pack(tmp_path / "pack", limits)
    assert [(p.where, p.code) for p in pack.problems] == [("a/b/c/d", "too-deep")]
    assert set(pack.files) == {"a/b/ok.txt"}


def test_folder_limits_apply_while_reading(tmp_path: Path) -> None:
    write_folder(tmp_path / "pack", {f"f{i}.bin": bytes(1000) for i in range(5)})
    with pytest.raises(PackLimitError) as caught:
        read_pack(tmp_path / "pack", Limits(max_unpacked_bytes=2500))
    assert codes(caught.value.problems) == {"unpacked-too-large"}
    assert caught.value.unpacked_bytes == 3000
    with pytest.raises(PackLimitError) as caught:
        read_pack(tmp_path / "pack", Limits(max_files=4))
    assert codes(caught.value.problems) == {"too-many-files"}


def test_folder_names_are_checked(tmp_path: Path) -> None:
    write_folder(tmp_path / "pack", {**SIBLINGS, "docs/run.ps1": b"x", "docs/a\x1bb.txt": b"y"})
    pack = read_pack(tmp_path / "pack")
    assert sorted((p.where, p.code) for p in pack.problems) == [
        ("docs/a\\x1bb.txt", "control-character"),
        ("docs/run.ps1", "forbidden-extension"),
    ]


def test_source_that_is_neither_file_nor_folder_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pack.zip")
    with pytest.raises(FatalPackError) as caught:
        read_pack(tmp_path / "pack.zip")
    assert codes(caught.value.problems) == {"not-an-archive"}


# --- Path rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "cmspack.yaml",
        "config/forms/Initial assessment (v2).xml",
        "docs/Guide \u2013 Family Safeguarding.pdf",
        "config/caf\u00e9.json",
        "docs/git-guide.md",
        "docs/notes-v2.md",
        "config/data.tar.gz",
        "config/notes.exe.txt",
        "config/console.txt",
        "/".join(["d"] * (DEFAULT_LIMITS.max_depth - 1)) + "/x.txt",
        "a" * DEFAULT_LIMITS.max_name_bytes,
    ],
)
def test_acceptable_paths(path: str) -> None:
    assert check_path(path, DEFAULT_LIMITS) == []


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("..", "zip-slip"),
        ("a/..", "zip-slip"),
        ("a/../b", "zip-slip"),
        ("/a", "absolute-path"),
        ("\\a", "absolute-path"),
        ("c:x", "absolute-path"),
        ("a\\b", "backslash"),
        ("", "empty-component"),
        ("a/", "empty-component"),
        ("./a", "dot-component"),
        ("a\x00b", "control-character"),
        ("a\x9bb", "control-character"),
        ("a\u200bb", "control-character"),  # zero-width space
        ("a\u2028b", "control-character"),  # line separator
        ("a\udcffb", "invalid-utf8"),
        ("a|b", "windows-name"),
        ("docs/NUL", "windows-name"),
        ("docs/lpt1.txt", "windows-name"),
        ("a /b", "windows-name"),
        ("x/.GIT/config", "git-metadata"),
        ("x/git~1/config", "git-metadata"),
        ("docs/.gitmodules", "git-metadata"),
        ("docs/.gitattributes", "git-metadata"),
        ("docs/.Git. ", "git-metadata"),
        ("-n", "leading-dash"),
        ("docs/--help.txt", "leading-dash"),
        ("docs/run.JS", "forbidden-extension"),
        ("docs/run.js ", "forbidden-extension"),
        ("docs/page.xhtml", "forbidden-extension"),
        ("docs/deck.pptm", "forbidden-extension"),
    ],
)
def test_refused_paths(path: str, code: str) -> None:
    assert code in codes(check_path(path, DEFAULT_LIMITS))


def test_problem_names_the_path_and_says_what_to_do() -> None:
    [problem] = check_path("docs/setup.exe", DEFAULT_LIMITS)
    assert problem.where == "docs/setup.exe"
    assert ".exe" in problem.message and "Remove it" in problem.message


def test_limits_are_read_from_the_limits_given() -> None:
    limits = Limits(max_depth=2, max_name_bytes=4)
    assert codes(check_path("a/b/c", limits)) == {"too-deep"}
    assert codes(check_path("abcde", limits)) == {"name-too-long"}


def test_forbidden_extensions_include_the_spec_list() -> None:
    spec = ".exe .dll .bat .cmd .ps1 .sh .js .vbs .jar .msi .docm .xlsm .svg .html .htm"
    assert set(spec.split()) | {".pptm", ".dotm", ".xltm"} <= FORBIDDEN_EXTENSIONS
    assert set(NEWLY_FORBIDDEN_EXTENSIONS) <= FORBIDDEN_EXTENSIONS
    assert all(extension == extension.lower() for extension in FORBIDDEN_EXTENSIONS)


# Real configuration that looks a little like code, and must not be taken for it.
LOOKS_LIKE_CODE = {
    "config/mosaic-form.xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- Mosaic form export -->\n'
        b'<form id="CP1"><script name="onLoad">setField("x")</script></form>\n'
    ),
    "config/lcs-export.xml": "<?xml version='1.0' encoding='UTF-16'?><Steps/>".encode("utf-16"),
    "config/commented.xml": b"<!-- exported 2024-03-01 -->\n<form id='CIN1'/>\n",
    "config/with-dtd.xml": b'<?xml version="1.0"?>\n<!DOCTYPE form SYSTEM "form.dtd">\n<form/>',
    "config/letter.xslt": (
        b'<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" '
        b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns="http://www.w3.org/1999/xhtml">'
        b'<xsl:template match="/"><html><body/></html></xsl:template></xsl:stylesheet>\n'
    ),
    "config/rows.xml": b"<table name='lookups'><row code='A'/></table>\n",  # SQL Server FOR XML
    "config/lookups.csv": b"code,label\nMZ,Mozambique\n",
    "config/country.txt": b"MZ Mozambique\nZA South Africa\n",
    "config/report.sql": b"-- <script> is never used here\nSELECT 1;\n",
    "docs/guide.md": b"# Guide\n\nDo not paste this:\n\n```html\n<script>alert(1)</script>\n```\n",
    "docs/style.md": b"#!important is how the old stylesheet began\n",
    "docs/workflow.yaml": b"steps:\n  - html: false\n",
    "docs/guide.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "docs/screen.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    "docs/photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64),
    "docs/letter.docx": build_zip({"word/document.xml": b"<w:document/>"}).data,
    "docs/book.xlsx": build_zip({"xl/workbook.xml": b"<workbook/>"}).data,
}


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_configuration_that_looks_like_code_is_accepted(build: Callable) -> None:
    files = {**SIBLINGS, **LOOKS_LIKE_CODE}
    pack = read_archive(io.BytesIO(build(files).data), "pack")
    assert pack.problems == []
    assert pack.files == dict(sorted(files.items()))


def test_content_problem_names_the_file_and_says_why() -> None:
    files = {**SIBLINGS, "config/mz.txt": PE_PROGRAM}
    pack = read_archive(io.BytesIO(build_zip(files).data), "pack.zip")
    [problem] = pack.problems
    assert (problem.where, problem.code) == ("config/mz.txt", "forbidden-content")
    assert "Windows program" in problem.message and "could run" in problem.message
    assert "config/mz.txt" not in pack.files


def test_zip_with_an_oversized_table_of_contents_is_refused_before_it_is_read() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("cmspack.yaml", "README.md", "config/a.xml"):
            info = zipfile.ZipInfo(name)
            info.comment = b"x" * 4000  # each central record carries it; no real zip does
            zf.writestr(info, b"x")
    with pytest.raises(FatalPackError) as caught:
        read_archive(io.BytesIO(buf.getvalue()), "pack.zip", Limits(max_files=2))
    assert codes(caught.value.problems) == {"oversized-directory"}
    assert "table of contents" in caught.value.problems[0].message


def test_tar_with_long_non_ascii_paths_in_pax_headers_is_read() -> None:
    # a pax header for every file, each near the longest path the limits allow
    names = [f"{i:02}/" + "/".join(["\u00e9" * 127] * 11) for i in range(60)]
    files = {name: b"x" for name in names}
    pack = read_archive(io.BytesIO(build_tar_gz(files).data), "pack.tgz")
    assert (pack.files, pack.problems) == (dict(sorted(files.items())), [])


# --- Damaged input never escapes as anything but FatalPackError ----------------------------------


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_damaged_archives_fail_cleanly(build: Callable) -> None:
    original = build(PACK).data
    generator = random.Random(20240601)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(generator.randint(1, 8)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        if generator.random() < 0.2:
            data = data[: generator.randrange(len(data))]
        try:
            pack = read_archive(io.BytesIO(bytes(data)), "damaged", Limits(max_unpacked_bytes=MiB))
        except FatalPackError:
            continue
        for problem in pack.problems:
            problem.where.encode("utf-8")


def test_damaged_tar_gz_is_caught_by_the_gzip_checksum() -> None:
    # tar has no checksum of file contents: a changed byte is only seen at the end of the gzip
    data = bytearray(build_tar_gz(PACK).data)
    data[-8] ^= 0xFF  # the CRC-32 that closes the gzip stream
    with pytest.raises(FatalPackError) as caught:
        read_archive(io.BytesIO(bytes(data)), "pack.tgz")
    assert codes(caught.value.problems) == {"corrupt-archive"}


def test_gzip_of_something_else_is_corrupt_not_a_crash() -> None:
    with pytest.raises(FatalPackError) as caught:
        read_archive(io.BytesIO(gzip.compress(b"\xff" * 2048)), "x.tgz")
    assert codes(caught.value.problems) == {"corrupt-archive"}


# --- Helpers -------------------------------------------------------------------------------------


class Unseekable(io.RawIOBase):
    """An upload stream that can only be read forwards, like a request body."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def write_folder(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def test_a_zip_written_to_a_file_is_the_zip_built_in_memory(tmp_path: Path) -> None:
    # `cmsreg publish` builds a folder into a file: the same bytes `cmsreg build` makes.
    files = {**SIBLINGS, "docs/scan.png": random.Random(3).randbytes(300_000)}
    path = tmp_path / "pack.zip"
    with path.open("wb") as out:
        write_zip(files, out)
    assert path.read_bytes() == build_zip(files).data
