"""Hostile and broken uploads over HTTP: refused with a JSON error that says what to fix, and
nothing stored — no submission row, no `submissions/*` branch, no git object, no audit event.

Every case of tests/hostile.py is POSTed with a valid publisher token. Size limits are tested
on registries configured with small limits, so no test has to send 50 MiB.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace

import pytest
import yaml

from registry.packs.build import build_tar_gz, build_zip
from registry.packs.limits import DEFAULT_LIMITS, Limits
from tests.api.test_permissions import (
    NAME,
    PUBLISHER,
    SUBMISSIONS,
    assert_error,
    running_app,
    state,
)
from tests.conftest import DATABASES, Accounts, auth
from tests.hostile import SIBLINGS, HostileCase, hostile_archives
from tests.packs.manifests import README, manifest, pack_files

CASES = hostile_archives()
TOO_LARGE = frozenset({"archive-too-large", "unpacked-too-large", "too-many-files"})
# What a WSGI server sets for a chunked request: read the body to its end, not to a length.
CHUNKED = {"wsgi.input_terminated": True}
SMALL = replace(DEFAULT_LIMITS, max_archive_bytes=4096, max_unpacked_bytes=8192, max_files=5)


class Uploads:
    """A registry that refuses everything sent to it, and a publisher of hertfordshire."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.reg = app.extensions["cmsreg"]
        accounts = Accounts(self.reg)
        self.headers = auth(accounts.token("herts-publisher", PUBLISHER))
        accounts.org("cornwall")
        self.before = state(self.reg)

    def send(self, **kwargs):
        """POST to /submissions as the publisher, noting what the registry held before."""
        self.before = state(self.reg)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.post(SUBMISSIONS, headers=headers, **kwargs)

    def post(self, data: bytes, filename: str, content_type: str = "application/zip"):
        """Upload data as the multipart `archive` field."""
        return self.send(
            data={"archive": (io.BytesIO(data), filename, content_type)},
            content_type="multipart/form-data",
        )

    def assert_nothing_stored(self) -> None:
        """No row, branch, git object or audit event beyond what the registry held before."""
        after = state(self.reg)
        assert after == self.before
        assert not [a for a in after.added_audit(self.before) if a[1] == "submit"]


def settings_for(limits: Limits) -> dict[str, int]:
    return {
        "MAX_ARCHIVE_BYTES": limits.max_archive_bytes,
        "MAX_UNPACKED_BYTES": limits.max_unpacked_bytes,
        "MAX_FILES": limits.max_files,
        "MAX_DEPTH": limits.max_depth,
        "MAX_NAME_BYTES": limits.max_name_bytes,
        "MAX_MANIFEST_BYTES": limits.max_manifest_bytes,
    }


@pytest.fixture(scope="module", params=DATABASES)
def registry_with(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Limits], Uploads]]:
    """Registries by their upload limits, made when first asked for, on one kind of database."""
    made: dict[Limits, Uploads] = {}
    with ExitStack() as stack:

        def registry(limits: Limits = DEFAULT_LIMITS) -> Uploads:
            if limits not in made:
                folder = tmp_path_factory.mktemp("uploads")
                app = stack.enter_context(
                    running_app(request.param, folder, **settings_for(limits))
                )
                made[limits] = Uploads(app)
            return made[limits]

        yield registry


@pytest.fixture
def uploads(registry_with) -> Uploads:
    return registry_with(DEFAULT_LIMITS)


# --- Every hostile archive -----------------------------------------------------------------------


def test_the_cases_include_both_kinds_of_refusal() -> None:
    assert {c.id for c in CASES if c.codes & TOO_LARGE} >= {
        "zip-bomb",
        "tar-gz-bomb",
        "zip-too-many-files",
        "archive-too-large",
    }
    assert len([c for c in CASES if not c.codes & TOO_LARGE]) > 80


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_archive_is_refused_and_nothing_is_stored(registry_with, case: HostileCase):
    registry = registry_with(case.limits)
    response = registry.post(case.data, case.filename)
    status = 413 if case.codes & TOO_LARGE else 422
    body = assert_error(response, status)
    problems = body["errors"]["problems"]
    assert {p["code"] for p in problems} == case.codes
    for problem in problems:
        assert problem["where"] and problem["message"].strip()
    if status == 413:
        # The message itself names the limit that was passed.
        assert body["message"].startswith("The pack is over a size limit: ")
        assert any(p["message"] in body["message"] for p in problems)
    else:
        assert "cmsreg validate" in body["message"]
    registry.assert_nothing_stored()


# --- Size limits, on registries with small ones ---------------------------------------------------


def test_archive_over_the_upload_limit_is_413(registry_with) -> None:
    small = registry_with(SMALL)
    noise = random.Random(0).randbytes(8192)  # does not compress
    files = pack_files(depends=...) | {"docs/noise.bin": noise}
    body = assert_error(small.post(build_zip(files).data, "pack.zip"), 413)
    assert [p["code"] for p in body["errors"]["problems"]] == ["archive-too-large"]
    assert "larger than 4 KiB" in body["message"]
    small.assert_nothing_stored()


def test_pack_that_unpacks_over_the_limit_is_413(registry_with) -> None:
    small = registry_with(SMALL)
    files = pack_files(depends=...) | {"config/big.csv": b"a,b\n" * 4096}  # 16 KiB, compresses
    data = build_zip(files).data
    assert len(data) <= SMALL.max_archive_bytes
    body = assert_error(small.post(data, "pack.zip"), 413)
    assert [p["code"] for p in body["errors"]["problems"]] == ["unpacked-too-large"]
    small.assert_nothing_stored()


@pytest.mark.parametrize("build", [build_zip, build_tar_gz], ids=["zip", "tar.gz"])
def test_pack_with_too_many_files_is_413(registry_with, build) -> None:
    small = registry_with(SMALL)
    files = {"cmspack.yaml": SIBLINGS["cmspack.yaml"], "README.md": README}
    files |= {f"config/{i}.txt": b"x" for i in range(SMALL.max_files)}
    name = "pack.zip" if build is build_zip else "pack.tar.gz"
    body = assert_error(small.post(build(files).data, name), 413)
    assert [p["code"] for p in body["errors"]["problems"]] == ["too-many-files"]
    assert "5 files" in body["message"]
    small.assert_nothing_stored()


def test_request_over_the_content_length_limit_is_413_json(registry_with) -> None:
    small = registry_with(SMALL)
    limit = small.app.config["MAX_CONTENT_LENGTH"]
    body = assert_error(small.post(b"PK" + bytes(limit), "pack.zip"), 413)
    assert "too large" in body["message"]
    small.assert_nothing_stored()


def test_streamed_request_over_the_limit_is_413_json(registry_with) -> None:
    """Without a Content-Length (chunked), the limit is enforced while reading."""
    small = registry_with(SMALL)
    limit = small.app.config["MAX_CONTENT_LENGTH"]
    boundary = "cmsreg-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="archive"; filename="pack.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    payload = head + bytes(limit + 1) + f"\r\n--{boundary}--\r\n".encode()
    response = small.send(
        input_stream=io.BytesIO(payload),
        headers={"Transfer-Encoding": "chunked"},
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides=CHUNKED,
    )
    assert_error(response, 413)
    small.assert_nothing_stored()


# --- Manifests, ownership and personal data --------------------------------------------------------

EVERY_FIELD_WRONG = manifest(
    name="Bad Name!",
    publisher="Not A Slug",
    version="1.2",
    title="",
    summary="x" * 201,
    licence="NOT-A-LICENCE",
    supplier="nosuch",
    products=[{"id": "nosuch", "versions": 5}],
    service_areas=["nosuch"],
    practice_models=["nosuch"],
    organisation_structures=["nosuch"],
    kinds=["nosuch"],
    keywords=[f"k{i}" for i in range(21)],
    maintainers=[{"name": "", "email": "not-an-email"}],
    depends={"not a pack": "whatever"},
    colour="blue",
)


def test_manifest_with_every_field_wrong_lists_every_problem(uploads: Uploads) -> None:
    files = pack_files() | {"cmspack.yaml": yaml.safe_dump(EVERY_FIELD_WRONG).encode()}
    body = assert_error(uploads.post(build_zip(files).data, "pack.zip"), 422)
    where = {p["where"] for p in body["errors"]["problems"]}
    assert where >= {
        "name",
        "publisher",
        "version",
        "title",
        "summary",
        "licence",
        "supplier",
        "products[0].id",
        "products[0].versions",
        "service_areas[0]",
        "practice_models[0]",
        "organisation_structures[0]",
        "kinds[0]",
        "keywords",
        "maintainers[0].name",
        "maintainers[0].email",
        "colour",
    }
    assert any(w.startswith("depends") for w in where)
    assert f"{len(body['errors']['problems'])} problem(s)" in body["message"]
    uploads.assert_nothing_stored()


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"README.md": README}, "missing-manifest"),
        ({"cmspack.yaml": SIBLINGS["cmspack.yaml"]}, "missing-readme"),
        ({"cmspack.yaml": SIBLINGS["cmspack.yaml"], "README.md": b"  \n"}, "empty-readme"),
        ({"cmspack.yaml": b"name: [unclosed\n", "README.md": README}, None),
        ({"cmspack.yaml": b"- a list\n- not a mapping\n", "README.md": README}, None),
        ({"cmspack.yaml": b"\xff\xfe not utf-8", "README.md": README}, None),
        ({"cmspack.yaml": b"a: &x [*x]\n", "README.md": README}, None),
        ({"cmspack.yaml": b"x: " + b"y" * (65 * 1024) + b"\n", "README.md": README}, None),
    ],
    ids=[
        "no-manifest",
        "no-readme",
        "empty-readme",
        "yaml-syntax",
        "yaml-list",
        "not-utf8",
        "yaml-alias",
        "manifest-too-big",
    ],
)
def test_pack_without_a_usable_manifest_or_readme_is_422(uploads: Uploads, files, code) -> None:
    body = assert_error(uploads.post(build_zip(files).data, "pack.zip"), 422)
    problems = body["errors"]["problems"]
    assert problems and all(p["message"].strip() for p in problems)
    if code:
        assert code in {p["code"] for p in problems}
    uploads.assert_nothing_stored()


def test_pack_of_another_organisation_is_403(uploads: Uploads) -> None:
    files = pack_files(depends=..., publisher="cornwall")
    body = assert_error(uploads.post(build_zip(files).data, "pack.zip"), 403)
    assert "hertfordshire, not cornwall" in body["message"]
    assert "publisher:" in body["message"]
    uploads.assert_nothing_stored()


def test_pack_for_an_organisation_that_does_not_exist_is_403(uploads: Uploads) -> None:
    files = pack_files(depends=..., publisher="atlantis")
    assert_error(uploads.post(build_zip(files).data, "pack.zip"), 403)
    uploads.assert_nothing_stored()


@pytest.mark.parametrize(
    ("path", "content", "rule"),
    [
        ("config/children.csv", b"code,nhs\nA,943 476 5919\n", "nhs-number"),
        ("docs/notes.md", b"Pupil B801200005001 moved school\n", "upn"),
        ("config/staff.sql", b"-- worker AB123456C\nSELECT 1;\n", "ni-number"),
    ],
    ids=["nhs", "upn", "ni"],
)
def test_blocking_personal_data_is_422_and_nothing_is_stored(
    uploads: Uploads, path, content, rule
) -> None:
    files = pack_files(depends=...) | {path: content}
    response = uploads.post(build_zip(files).data, "pack.zip")
    body = assert_error(response, 422)
    findings = body["errors"]["findings"]
    assert {(f["file"], f["rule"], f["severity"]) for f in findings} >= {(path, rule, "block")}
    assert "Nothing was stored" in body["message"]
    # Never the value in full.
    value = {"nhs-number": "943 476 5919", "upn": "B801200005001", "ni-number": "AB123456C"}
    assert value[rule] not in response.get_data(as_text=True)
    uploads.assert_nothing_stored()


def test_blocking_findings_are_reported_with_other_problems(uploads: Uploads) -> None:
    files = pack_files(depends=..., version="one") | {"config/c.csv": b"A,943 476 5919\n"}
    body = assert_error(uploads.post(build_zip(files).data, "pack.zip"), 422)
    assert [p["where"] for p in body["errors"]["problems"]] == ["version"]
    assert [f["rule"] for f in body["errors"]["findings"]] == ["nhs-number"]
    uploads.assert_nothing_stored()


@pytest.mark.parametrize(
    "name",
    ["docs/-notes.md", "config/.github/workflow.yml", "docs/.gitkeep", ".gitignore"],
)
def test_file_the_git_store_cannot_hold_is_a_problem_not_a_404(uploads: Uploads, name: str):
    files = pack_files(depends=...) | {name: b"x\n"}
    body = assert_error(uploads.post(build_zip(files).data, "pack.zip"), 422)
    assert name in {p["where"] for p in body["errors"]["problems"]}
    uploads.assert_nothing_stored()


# --- The multipart request itself ----------------------------------------------------------------


def test_missing_archive_field_is_422_naming_the_field(uploads: Uploads) -> None:
    body = assert_error(uploads.send(data={}, content_type="multipart/form-data"), 422)
    assert "archive" in body["errors"]["files"]
    uploads.assert_nothing_stored()


def test_archive_sent_as_a_text_field_is_422(uploads: Uploads) -> None:
    data = {"archive": build_zip(pack_files(depends=...)).data.decode("latin-1")}
    body = assert_error(uploads.send(data=data, content_type="multipart/form-data"), 422)
    assert "archive" in body["errors"]["files"]
    uploads.assert_nothing_stored()


def test_archive_under_another_field_name_is_422(uploads: Uploads) -> None:
    data = {"file": (io.BytesIO(build_zip(pack_files(depends=...)).data), "pack.zip")}
    body = assert_error(uploads.send(data=data, content_type="multipart/form-data"), 422)
    assert "archive" in body["errors"]["files"]
    uploads.assert_nothing_stored()


def test_two_archives_are_refused_rather_than_one_picked(uploads: Uploads) -> None:
    one = build_zip(pack_files(depends=...)).data
    two = build_zip(pack_files(depends=..., version="2.0.0")).data
    data = {"archive": [(io.BytesIO(one), "one.zip"), (io.BytesIO(two), "two.zip")]}
    body = assert_error(uploads.send(data=data, content_type="multipart/form-data"), 422)
    assert body["message"].startswith("Send one pack at a time")
    assert body["errors"]["files"]["archive"]
    uploads.assert_nothing_stored()


@pytest.mark.parametrize("filename", ["", "pack.zip", "pack.tar.gz"])
def test_empty_file_is_422(uploads: Uploads, filename: str) -> None:
    body = assert_error(uploads.post(b"", filename), 422)
    assert [p["code"] for p in body["errors"]["problems"]] == ["not-an-archive"]
    assert "empty" in body["errors"]["problems"][0]["message"]
    uploads.assert_nothing_stored()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json": {"archive": "UEsDBA=="}},
        {"data": build_zip(pack_files(depends=...)).data, "content_type": "application/zip"},
        {"data": b"archive=pack.zip", "content_type": "application/x-www-form-urlencoded"},
        {"data": b"--x\r\nbroken", "content_type": "multipart/form-data; boundary=x"},
        {"data": b"no boundary at all", "content_type": "multipart/form-data"},
        {
            "data": b'--x\r\nContent-Disposition: form-data; name="archive"; filename="p.zip"'
            b"\r\n\r\nPK\x03\x04",
            "content_type": "multipart/form-data; boundary=x",
        },
        {"data": b"PK\x03\x04", "content_type": "text/plain"},
        {},
    ],
    ids=[
        "json",
        "raw-zip",
        "urlencoded",
        "broken-multipart",
        "no-boundary",
        "cut-short-multipart",
        "text",
        "no-body",
    ],
)
def test_upload_in_the_wrong_shape_is_400_saying_how_to_send_it(uploads: Uploads, kwargs) -> None:
    body = assert_error(uploads.send(**kwargs), 400)
    assert "multipart/form-data" in body["message"] and "`archive`" in body["message"]
    uploads.assert_nothing_stored()


@pytest.mark.parametrize(
    "filename",
    ["pack.rar", "pack", "../../pack.zip", "pack\x00.zip", "C:\\pack.zip", "p" * 5000 + ".zip"],
    ids=["rar", "no-extension", "traversal", "nul", "windows", "very-long"],
)
def test_odd_upload_file_names_do_not_matter(uploads: Uploads, filename: str) -> None:
    """The archive's bytes decide; its name is never used as a path (here: not an archive)."""
    body = assert_error(uploads.post(b"\x00\x01 not a pack", filename), 422)
    assert [p["code"] for p in body["errors"]["problems"]] == ["not-an-archive"]
    uploads.assert_nothing_stored()


def test_wrong_part_content_type_does_not_matter(uploads: Uploads) -> None:
    """A valid pack sent as text/plain is read by its bytes (and refused here for its publisher)."""
    files = pack_files(depends=..., publisher="cornwall")
    response = uploads.post(build_zip(files).data, "pack.zip", content_type="text/plain")
    assert_error(response, 403)
    uploads.assert_nothing_stored()


def test_refusals_leave_the_registry_consistent(uploads: Uploads) -> None:
    from registry.services.reconcile import check

    assert check(uploads.reg) == []
    assert uploads.client.get(f"/api/v1/packs/{PUBLISHER}/{NAME}").status_code == 404


def test_chunked_upload_within_the_limit_is_read(registry_with) -> None:
    """The other side of the streamed-limit test: a chunked upload that fits is validated."""
    small = registry_with(SMALL)
    files = {"cmspack.yaml": SIBLINGS["cmspack.yaml"].replace(b"hertfordshire", b"cornwall")}
    files["README.md"] = README
    files["config/steps.xml"] = SIBLINGS["config/steps.xml"]
    data = build_zip(files).data
    boundary = "cmsreg-boundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="archive"; filename="pack.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = small.send(
        input_stream=io.BytesIO(payload),
        headers={"Transfer-Encoding": "chunked"},
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides=CHUNKED,
    )
    assert_error(response, 403)  # read and validated: the manifest names another publisher
    small.assert_nothing_stored()


def test_nothing_at_all_was_stored(registry_with) -> None:
    """After every refusal above: no submission, no branch, no submit in the audit log."""
    for limits in (DEFAULT_LIMITS, SMALL):
        registry = registry_with(limits)
        held = state(registry.reg)
        assert held.submissions == () and held.branches == () and held.tags == ()
        assert registry.reg.store.submissions() == []
        assert not [a for a in held.audit if a[1] != "org-created" and a[0] != "system"]
