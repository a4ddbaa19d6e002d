"""`POST /submissions?dry_run=true`: every check of an upload, in its order, and nothing stored.

Also what every upload now answers: who reviews it, and a refusal of dependencies the registry
does not have.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from registry.db.models import Base
from registry.packs.build import build_zip
from registry.services import searchsync
from tests.api.test_flow import publish_and_approve
from tests.conftest import auth, upload
from tests.packs.manifests import manifest_bytes, pack_files

SUBMISSIONS = "/api/v1/submissions"
FORMS = "hertfordshire/family-safeguarding-forms"


def dry_run(client, token: str | None, files: dict[str, bytes]):
    """POST a pack with ?dry_run=true."""
    return client.post(
        f"{SUBMISSIONS}?dry_run=true",
        data={"archive": (io.BytesIO(build_zip(files).data), "pack.zip")},
        headers=auth(token) if token else {},
        content_type="multipart/form-data",
    )


@dataclass(frozen=True)
class Held:
    """Everything the registry holds: rows of every table, git refs and objects, index size."""

    rows: dict[str, tuple]
    refs: str
    git_objects: str
    indexed: int


def held(reg) -> Held:
    # Settled first: an approval's index update may still be in its indexer thread's hands.
    searchsync.catch_up(reg)
    rows = {}
    with reg.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            # When a token was last used changes with every request, whatever it asks.
            columns = [c for c in table.columns if c.name != "last_used_at"]
            rows[table.name] = tuple(
                tuple(r)
                for r in conn.execute(
                    sa.select(*columns).order_by(*table.primary_key.columns)
                ).all()
            )

    def git(*args: str) -> str:
        store = reg.settings["STORE_PATH"]
        return subprocess.run(
            ["git", "--git-dir", store, *args], capture_output=True, text=True, check=True
        ).stdout

    objects = "\n".join(
        line for line in git("count-objects", "-v").splitlines() if not line.startswith("size")
    )
    return Held(rows, git("for-each-ref"), objects, reg.search.count())


@pytest.fixture
def people(accounts, client):
    """A Hertfordshire publisher, a system-c moderator in a user group, the forms pack approved."""
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    forms = pack_files(name="family-safeguarding-forms", version="1.1.0", depends=...)
    publish_and_approve(client, pub, mod, forms)
    return {"publisher": pub, "moderator": mod}


def test_dry_run_answers_the_would_be_submission_and_stores_nothing(client, reg, people) -> None:
    pub = people["publisher"]
    before = held(reg)
    r = dry_run(
        client, pub, pack_files() | {"config/contacts.csv": b"team,postcode\nMASH,SW1A 1AA\n"}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["dry_run"] is True and body["status"] == "dry-run" and body["id"] is None
    assert (body["publisher"], body["name"], body["version"]) == (
        "hertfordshire",
        "family-safeguarding-cp-workflow",
        "1.2.0",
    )
    assert [f["rule"] for f in body["checks"]["findings"]] == ["postcode"]
    assert body["reviewers"] == {
        "supplier": "system-c",
        "moderators": 1,
        "organisations": ["lcs-user-group"],
    }
    assert held(reg) == before
    # The same pack uploaded for real is then taken: the dry run held no claim on it.
    real = upload(client, pub, pack_files())
    assert real.status_code == 201, real.get_json()
    assert real.get_json()["dry_run"] is False
    assert real.get_json()["reviewers"]["moderators"] == 1


def test_dry_run_refuses_what_the_upload_refuses(client, reg, accounts, people) -> None:
    pub = people["publisher"]
    before = held(reg)
    # No token: 401; a moderator's token: 403; another council's pack: 403.
    assert dry_run(client, None, pack_files()).status_code == 401
    assert dry_run(client, people["moderator"], pack_files()).status_code == 403
    r = dry_run(client, pub, pack_files(publisher="kent"))
    assert r.status_code == 403 and "not kent" in r.get_json()["message"]
    # A dependency the registry does not have, or no version of it in range: 422.
    r = dry_run(client, pub, pack_files(depends={"essex/nothing-here": ">=1"}))
    assert r.status_code == 422
    assert [p["code"] for p in r.get_json()["errors"]["problems"]] == ["unknown-dependency"]
    r = dry_run(client, pub, pack_files(depends={FORMS: ">=2.0.0"}))
    assert r.status_code == 422
    (problem,) = r.get_json()["errors"]["problems"]
    assert problem["code"] == "unsatisfied-dependency" and "1.1.0" in problem["message"]
    # init's placeholders: 422.
    r = dry_run(client, pub, pack_files(publisher="my-council"))
    assert r.status_code == 422
    assert "placeholder" in {p["code"] for p in r.get_json()["errors"]["problems"]}
    assert held(reg) == before
    # A pending version, and an approved one: 409.
    assert upload(client, pub, pack_files()).status_code == 201
    r = dry_run(client, pub, pack_files())
    assert r.status_code == 409 and "already waiting for review" in r.get_json()["message"]
    forms = pack_files(name="family-safeguarding-forms", version="1.1.0", depends=...)
    r = dry_run(client, pub, forms)
    assert r.status_code == 409 and "already approved" in r.get_json()["message"]


def test_upload_refuses_a_dependency_the_registry_does_not_have(client, reg, people) -> None:
    before = held(reg)
    files = pack_files(depends={"essex/signs-of-safety-assessment": "^1.0"})
    r = upload(client, people["publisher"], files)
    assert r.status_code == 422
    (problem,) = r.get_json()["errors"]["problems"]
    assert problem["where"] == "depends.essex/signs-of-safety-assessment"
    assert "publish it first" in problem["message"]
    assert held(reg) == before


def test_every_problem_comes_back_at_once_with_the_dependencies(client, people) -> None:
    files = pack_files(depends={"essex/nothing": ">=1"}) | {
        "cmspack.yaml": manifest_bytes(
            depends={"essex/nothing": ">=1"},
            maintainers=[{"name": "Systems Team", "email": "systems-team@example.gov.uk"}],
        )
    }
    r = upload(client, people["publisher"], files)
    assert r.status_code == 422
    codes = sorted(p["code"] for p in r.get_json()["errors"]["problems"])
    assert codes == ["placeholder", "unknown-dependency"]


def test_no_moderator_for_the_supplier_is_said(client, accounts) -> None:
    pub = accounts.token("leeds-admin", "leeds", ("publish",))
    r = dry_run(client, pub, pack_files(publisher="leeds", depends=..., supplier="olm"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["reviewers"] == {"supplier": "olm", "moderators": 0, "organisations": []}


def test_dry_run_is_in_the_openapi_document(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/submissions"]["post"]
    assert "dry_run" in {p["name"] for p in post["parameters"]}
    assert {"200", "201"} <= set(post["responses"])
    out = spec["components"]["schemas"]["SubmissionOut"]["properties"]
    assert {"dry_run", "reviewers"} <= set(out)
