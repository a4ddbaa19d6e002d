"""A submission's files over HTTP: listed, read byte for byte (Word and Excel too), downloaded
as one archive — by its organisation and its supplier's moderators, and by no one else."""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile

import pytest

from registry.packs.build import build_zip
from tests.conftest import auth, upload
from tests.packs.manifests import pack_files
from tests.packs.test_scan import docx, paragraph, xlsx

SUBMISSIONS = "/api/v1/submissions"
LETTER = "docs/letter.docx"
SHEET = "config/lookups.xlsx"


def office_pack() -> dict[str, bytes]:
    """A valid pack with a Word letter (an e-mail address: a warning) and an Excel sheet."""
    return dict(_office_pack())


@functools.cache  # the same bytes each time: a zip records the time its members were written
def _office_pack() -> dict[str, bytes]:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    return {
        **pack_files(depends=...),
        LETTER: docx(paragraph("Dear family,") + paragraph("Write to jo.bloggs@example.org")),
        SHEET: xlsx(rows, ["Code", "Description"]),
    }


@pytest.fixture
def people(accounts):
    """Tokens of everyone who asks: the submitter, moderators, others."""
    return {
        "submitter": accounts.token("herts-admin", "hertfordshire", ("publish",)),
        "colleague": accounts.token("herts-other", "hertfordshire", ("publish",)),
        "moderator": accounts.token(
            "lcs-mod", "lcs-user-group", ("moderate",), moderates=("system-c",)
        ),
        "other-supplier": accounts.token(
            "mosaic-mod", "mosaic-user-group", ("moderate",), moderates=("servelec",)
        ),
        "other-org": accounts.token("essex-admin", "essex", ("publish",)),
    }


@pytest.fixture
def submitted(client, people):
    """The id and files of a pending submission with a DOCX and an XLSX."""
    files = office_pack()
    r = upload(client, people["submitter"], files)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"], files


def test_listing_has_every_file_with_its_sha256_and_type(client, people, submitted):
    sid, files = submitted
    for who in ("submitter", "colleague", "moderator"):
        r = client.get(f"{SUBMISSIONS}/{sid}/files", headers=auth(people[who]))
        assert r.status_code == 200, (who, r.get_json())
        listed = {f["path"]: f for f in r.get_json()}
        assert set(listed) == set(files)
        for path, data in files.items():
            assert listed[path]["size"] == len(data)
            assert listed[path]["sha256"] == hashlib.sha256(data).hexdigest()
        assert listed[LETTER]["type"] == "word"
        assert listed[SHEET]["type"] == "excel"
        assert listed["README.md"]["type"] == "text"


def test_docx_and_xlsx_are_served_byte_for_byte_as_downloads(client, people, submitted):
    sid, files = submitted
    for path in (LETTER, SHEET):
        r = client.get(f"{SUBMISSIONS}/{sid}/files/{path}", headers=auth(people["moderator"]))
        assert r.status_code == 200
        assert r.get_data() == files[path]
        assert r.headers["Content-Type"] == "application/octet-stream"
        assert r.headers["Content-Disposition"].startswith("attachment;")
        assert path.rsplit("/", 1)[1] in r.headers["Content-Disposition"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in r.headers["Content-Security-Policy"]
    r = client.get(f"{SUBMISSIONS}/{sid}/files/README.md", headers=auth(people["submitter"]))
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.get_data() == files["README.md"]
    missing = client.get(f"{SUBMISSIONS}/{sid}/files/nope.md", headers=auth(people["moderator"]))
    assert missing.status_code == 404 and "no file nope.md" in missing.get_json()["message"]
    outside = client.get(
        f"{SUBMISSIONS}/{sid}/files/../cmspack.yaml", headers=auth(people["moderator"])
    )
    assert outside.status_code == 404


def test_download_is_the_zip_cmsreg_build_makes(client, people, submitted):
    sid, files = submitted
    r = client.get(f"{SUBMISSIONS}/{sid}/download", headers=auth(people["moderator"]))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/zip"
    assert r.get_data() == build_zip(files).data
    assert r.headers["X-Checksum-SHA256"] == hashlib.sha256(r.get_data()).hexdigest()
    assert "submission" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.get_data())) as zf:
        assert zf.read(LETTER) == files[LETTER]
    tgz = client.get(
        f"{SUBMISSIONS}/{sid}/download?format=tar.gz", headers=auth(people["submitter"])
    )
    assert tgz.status_code == 200 and tgz.headers["Content-Type"] == "application/gzip"


@pytest.mark.parametrize("who", ["other-org", "other-supplier"])
def test_anyone_else_gets_the_404_of_a_missing_submission(client, people, submitted, who):
    sid, _ = submitted
    for tail in ("/files", f"/files/{LETTER}", "/download"):
        hidden = client.get(f"{SUBMISSIONS}/{sid}{tail}", headers=auth(people[who]))
        missing = client.get(f"{SUBMISSIONS}/{sid + 1000}{tail}", headers=auth(people[who]))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_json()["message"].replace(str(sid), "N") == missing.get_json()[
            "message"
        ].replace(str(sid + 1000), "N")


def test_anonymous_gets_what_a_missing_submission_gets(client, submitted):
    sid, _ = submitted
    for tail in ("/files", f"/files/{LETTER}", "/download"):
        hidden = client.get(f"{SUBMISSIONS}/{sid}{tail}")
        missing = client.get(f"{SUBMISSIONS}/{sid + 1000}{tail}")
        assert hidden.status_code == missing.status_code == 401
        assert hidden.get_json() == missing.get_json()


def test_refused_content_is_gone(client, people, submitted):
    sid, _ = submitted
    r = client.post(
        f"{SUBMISSIONS}/{sid}/reject",
        json={"reason": "Remove the e-mail address from the letter."},
        headers=auth(people["moderator"]),
    )
    assert r.status_code == 200
    for tail in ("/files", f"/files/{LETTER}", "/download"):
        gone = client.get(f"{SUBMISSIONS}/{sid}{tail}", headers=auth(people["submitter"]))
        assert gone.status_code == 410
        assert "rejected" in gone.get_json()["message"]
        assert "removed" in gone.get_json()["message"]
        # Still hidden from others: 404, not 410.
        other = client.get(f"{SUBMISSIONS}/{sid}{tail}", headers=auth(people["other-org"]))
        assert other.status_code == 404


def test_approved_submission_files_stay_readable(client, people, submitted):
    sid, files = submitted
    detail = client.get(f"{SUBMISSIONS}/{sid}", headers=auth(people["moderator"])).get_json()
    warnings = [f["id"] for f in detail["checks"]["findings"] if f["severity"] == "warn"]
    assert warnings, "the letter's e-mail address is a warning"
    r = client.post(
        f"{SUBMISSIONS}/{sid}/approve",
        json={"acknowledge": warnings},
        headers=auth(people["moderator"]),
    )
    assert r.status_code == 200, r.get_json()
    r = client.get(f"{SUBMISSIONS}/{sid}/files/{SHEET}", headers=auth(people["submitter"]))
    assert r.status_code == 200 and r.get_data() == files[SHEET]


def test_openapi_describes_the_file_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/submissions/{submission_id}/files" in paths
    assert "/api/v1/submissions/{submission_id}/files/{path}" in paths
    assert "/api/v1/submissions/{submission_id}/download" in paths
