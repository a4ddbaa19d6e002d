"""The whole journey over HTTP: submit, approve, download with checksum, 1.1.0, diff, yank."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

from registry.packs.build import build_zip
from tests.conftest import auth, upload
from tests.packs.manifests import manifest_bytes, pack_files


def publish_and_approve(client, publisher_token, moderator_token, files):
    r = upload(client, publisher_token, files)
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    r = client.post(
        f"/api/v1/submissions/{sid}/approve",
        json={"note": "Checked at the user group"},
        headers=auth(moderator_token),
    )
    assert r.status_code == 200, r.get_json()
    return sid


def test_submit_approve_download_diff_yank(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    files = pack_files(depends=...)

    r = upload(client, pub, files)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "pending" and body["version"] == "1.2.0"
    assert body["checks"]["files"] == 4 and body["checks"]["findings"] == []
    sid = body["id"]

    # Not public until approved.
    assert (
        client.get("/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow").status_code == 404
    )
    queue = client.get("/api/v1/submissions?status=pending", headers=auth(mod)).get_json()
    assert [s["id"] for s in queue] == [sid]
    detail = client.get(f"/api/v1/submissions/{sid}", headers=auth(mod)).get_json()
    assert {c["path"] for c in detail["diff"]["added"]} >= {"cmspack.yaml", "README.md"}

    r = client.post(
        f"/api/v1/submissions/{sid}/approve", json={"note": "Looks right"}, headers=auth(mod)
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved"

    version = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0"
    ).get_json()
    assert version["approved_by"] == "lcs-moderator"
    assert version["approved_at"].endswith("+00:00"), "timestamps carry their zone"
    assert {f["path"] for f in version["files"]} == set(files)
    for f in version["files"]:
        assert f["sha256"] == hashlib.sha256(files[f["path"]]).hexdigest()

    # zip: the exact bytes a contributor's `cmsreg build` makes, with matching headers.
    r = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0/download?format=zip"
    )
    assert r.status_code == 200
    data = r.get_data()
    sha = hashlib.sha256(data).hexdigest()
    assert data == build_zip(files).data
    assert sha == version["archive_sha256"]["zip"] == r.headers["X-Checksum-SHA256"]
    assert r.headers["Digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(sha)).decode()
    assert r.headers["ETag"] == f'"{sha}"'
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert (
        r.headers["Content-Disposition"]
        == "attachment; filename=family-safeguarding-cp-workflow-1.2.0.zip"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == sorted(files)

    # tar.gz, and a conditional request.
    r = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0/download?format=tar.gz"
    )
    tgz = r.get_data()
    assert hashlib.sha256(tgz).hexdigest() == version["archive_sha256"]["tar.gz"]
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tf:
        assert sorted(tf.getnames()) == sorted(files)
    r = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0/download",
        headers={"If-None-Match": f'"{sha}"'},
    )
    assert r.status_code == 304 and r.get_data() == b""

    # A second version, then diff and yank.
    files2 = dict(files)
    files2["cmspack.yaml"] = manifest_bytes(version="1.3.0", depends=...)
    files2["config/steps.xml"] = (
        b"<steps><step code='CP1'>Strategy discussion (S47)</step><step code='CP2'>ICPC</step></steps>\n"
    )
    del files2["docs/install.md"]
    files2["config/lookups.csv"] = b"code,description\nCP1,Strategy discussion\n"
    publish_and_approve(client, pub, mod, files2)

    pack = client.get("/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow").get_json()
    assert pack["latest"] == "1.3.0"
    assert [v["version"] for v in pack["versions"]] == ["1.3.0", "1.2.0"]
    assert (
        client.get(
            "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/latest"
        ).get_json()["version"]
        == "1.3.0"
    )

    diff = client.get(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/diff?from=1.2.0&to=1.3.0"
    ).get_json()
    assert [c["path"] for c in diff["added"]] == ["config/lookups.csv"]
    assert [c["path"] for c in diff["removed"]] == ["docs/install.md"]
    changed = {c["path"]: c for c in diff["changed"]}
    assert set(changed) == {"cmspack.yaml", "config/steps.xml"}
    assert (
        "+<steps><step code='CP1'>Strategy discussion (S47)" in changed["config/steps.xml"]["diff"]
    )

    r = client.post(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.3.0/yank",
        json={},
        headers=auth(pub),
    )
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"]
    r = client.post(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.3.0/yank",
        json={"reason": "Step CP2 routes to the wrong team"},
        headers=auth(pub),
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["yanked"] is True
    pack = client.get("/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow").get_json()
    assert pack["latest"] == "1.2.0"
    assert pack["versions"][0] == pack["versions"][0] | {
        "version": "1.3.0",
        "yanked": True,
        "yank_reason": "Step CP2 routes to the wrong team",
    }
    # Still downloadable by its exact version.
    assert (
        client.get(
            "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.3.0/download"
        ).status_code
        == 200
    )
    r = client.post(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.3.0/unyank",
        json={},
        headers=auth(mod),
    )
    assert r.status_code == 200
    assert (
        client.get("/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow").get_json()[
            "latest"
        ]
        == "1.3.0"
    )


def test_versions_are_immutable_and_one_live_submission_per_version(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    files = pack_files(depends=...)
    first = upload(client, pub, files)
    assert first.status_code == 201
    again = upload(client, pub, files)
    assert again.status_code == 409 and "waiting for review" in again.get_json()["message"]
    sid = first.get_json()["id"]
    assert (
        client.post(f"/api/v1/submissions/{sid}/withdraw", json={}, headers=auth(pub)).status_code
        == 200
    )
    resubmitted = upload(client, pub, files)
    assert resubmitted.status_code == 201
    client.post(
        f"/api/v1/submissions/{resubmitted.get_json()['id']}/approve", json={}, headers=auth(mod)
    )
    changed = dict(files, **{"README.md": b"# Other bytes\n\nSame version number.\n"})
    r = upload(client, pub, changed)
    assert r.status_code == 409 and "already approved" in r.get_json()["message"]


def test_warnings_must_be_acknowledged_and_blocking_findings_never_stored(client, accounts, reg):
    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    blocked = pack_files(depends=...) | {"config/children.csv": b"code,nhs\nA,943 476 5919\n"}
    r = upload(client, pub, blocked)
    assert r.status_code == 422
    body = r.get_json()
    assert body["errors"]["findings"][0]["rule"] == "nhs-number"
    assert "943 476 5919" not in r.get_data(as_text=True)
    assert reg.store.submissions() == []

    warned = pack_files(depends=...) | {
        "config/contacts.md": b"Ring the MASH on 020 7946 0000 for advice\n"
    }
    r = upload(client, pub, warned)
    assert r.status_code == 201
    sid = r.get_json()["id"]
    findings = r.get_json()["checks"]["findings"]
    assert [(f["id"], f["rule"], f["severity"]) for f in findings] == [("F1", "phone", "warn")]
    r = client.post(f"/api/v1/submissions/{sid}/approve", json={}, headers=auth(mod))
    assert r.status_code == 422 and "F1" in r.get_json()["message"]
    r = client.post(
        f"/api/v1/submissions/{sid}/approve", json={"acknowledge": ["F1"]}, headers=auth(mod)
    )
    assert r.status_code == 200
    assert r.get_json()["reviews"][0]["acknowledged"] == ["F1"]


def test_reject_needs_a_reason_and_frees_the_version(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    sid = upload(client, pub, pack_files(depends=...)).get_json()["id"]
    assert (
        client.post(f"/api/v1/submissions/{sid}/reject", json={}, headers=auth(mod)).status_code
        == 422
    )
    r = client.post(
        f"/api/v1/submissions/{sid}/reject",
        json={"reason": "README does not say how to install"},
        headers=auth(mod),
    )
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert r.get_json()["reason"] == "README does not say how to install"
    assert upload(client, pub, pack_files(depends=...)).status_code == 201


def test_audit_log_records_every_state_change(client, accounts, reg):
    from sqlalchemy import select

    from registry.db.models import AuditEvent

    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    sid = publish_and_approve(client, pub, mod, pack_files(depends=...))
    client.post(
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.2.0/yank",
        json={"reason": "wrong"},
        headers=auth(pub),
    )
    with reg.db.session() as session:
        events = [
            (e.actor, e.action, e.reason)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert ("herts-admin", "submit", None) in events
    assert ("mod", "approve", "Checked at the user group") in events
    assert ("herts-admin", "yank", "wrong") in events
    assert [a for _, a, _ in events].count("token-created") == 2
    assert sid


def test_publishers_vocabulary_and_health(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    publish_and_approve(client, pub, mod, pack_files(depends=...))
    orgs = {o["slug"]: o for o in client.get("/api/v1/publishers").get_json()}
    assert orgs["hertfordshire"]["packs"] == 1
    detail = client.get("/api/v1/publishers/hertfordshire").get_json()
    assert [p["name"] for p in detail["packs"]] == ["family-safeguarding-cp-workflow"]
    vocab = client.get("/api/v1/vocabulary").get_json()
    assert "signs-of-safety" in [t["slug"] for t in vocab["practice_model"]["terms"]]
    health = client.get("/healthz")
    assert health.status_code == 200, health.get_json()
    assert health.get_json()["database"] == "ok" and health.get_json()["store"] == "ok"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/submissions/{submission_id}/approve" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_json_reads_answer_304_to_a_matching_etag(client, accounts):
    pub = accounts.token("herts-admin", "hertfordshire")
    mod = accounts.token("mod", "ug", ("moderate",), moderates=("system-c",))
    publish_and_approve(client, pub, mod, pack_files(depends=...))
    r = client.get("/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow")
    etag = r.headers["ETag"]
    assert (
        client.get(
            "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow",
            headers={"If-None-Match": etag},
        ).status_code
        == 304
    )


def test_an_index_of_an_older_format_answers_503_saying_to_reindex(client, reg):
    assert client.get("/api/v1/search?q=x").status_code == 200
    (Path(reg.settings["INDEX_PATH"]) / "current" / "cmsreg-format").write_text("1")
    reg.search.close()  # as a restarted worker would, it opens the index afresh
    r = client.get("/api/v1/search?q=x")
    assert r.status_code == 503, r.get_json()
    assert "cmsreg-server reindex" in r.get_json()["message"]
