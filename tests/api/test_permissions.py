"""Who may do what, over HTTP (SPEC §4 Permissions, §6): every actor against every action.

One registry per database serves the whole module: building one takes longer than all its
requests. Actions that change state get a fresh target (a new pending submission or approved
version) in each test, so the cells of the table do not depend on one another. A refused action
must change nothing: no row, no audit event, no git ref and no git object.

The helpers at the top (a registry on a fresh database, the state snapshot, the error-body check)
are shared with the hostile-upload and malformed-request modules.
"""

from __future__ import annotations

import io
import itertools
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from registry.packs.build import build_zip
from tests.conftest import DATABASES, Accounts, auth, fresh_database
from tests.packs.manifests import pack_files

PUBLISHER, NAME = "hertfordshire", "family-safeguarding-cp-workflow"
PACK = f"/api/v1/packs/{PUBLISHER}/{NAME}"
SUBMISSIONS = "/api/v1/submissions"
UNKNOWN_TOKEN = "cmsreg_" + "A" * 43  # well formed, never issued


# --- Shared helpers ------------------------------------------------------------------------------


@contextmanager
def running_app(kind: str, folder: Path, **settings: Any) -> Iterator[Any]:
    """An initialised app on a fresh instance and database; settings override the defaults."""
    from registry import create_app

    with fresh_database(kind, folder) as url:
        app = create_app(
            {
                "INSTANCE": str(folder / "instance"),
                "DATABASE_URL": url,
                "TESTING": True,
                "RATE_LIMITS": False,
                **settings,
            }
        )
        reg = app.extensions["cmsreg"]
        reg.init()
        try:
            yield app
        finally:
            reg.close()


@dataclass(frozen=True)
class State:
    """Everything a request could have stored: rows, audit events, git refs and objects."""

    submissions: tuple  # (id, status, claim, reason)
    versions: tuple  # (id, version, yanked, yank_reason); download counts left out
    reviews: int
    audit: tuple  # (actor, action, target, reason)
    branches: tuple  # submission ids with a submissions/<id> branch
    tags: tuple
    git_objects: int

    def added_audit(self, before: State) -> list[tuple]:
        """Audit events written since before (the log is append-only)."""
        assert self.audit[: len(before.audit)] == before.audit
        return list(self.audit[len(before.audit) :])


def state(reg) -> State:
    """Snapshot what the registry holds."""
    from registry.db.models import AuditEvent, Review, Submission, Version

    with reg.db.session() as session:
        submissions = session.execute(
            sa.select(
                Submission.id, Submission.status, Submission.claim, Submission.reason
            ).order_by(Submission.id)
        ).all()
        versions = session.execute(
            sa.select(Version.id, Version.version, Version.yanked, Version.yank_reason).order_by(
                Version.id
            )
        ).all()
        reviews = session.scalar(sa.select(sa.func.count()).select_from(Review))
        audit = session.execute(
            sa.select(
                AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.reason
            ).order_by(AuditEvent.id)
        ).all()
    return State(
        submissions=tuple(tuple(row) for row in submissions),
        versions=tuple(tuple(row) for row in versions),
        reviews=reviews,
        audit=tuple(tuple(row) for row in audit),
        branches=tuple(sorted(ref.submission_id for ref in reg.store.submissions())),
        tags=tuple(sorted(tag.tag for tag in reg.store.all_tags())),
        git_objects=git_objects(reg),
    )


def git_objects(reg) -> int:
    """How many objects the content repository holds, loose and packed."""
    out = subprocess.run(
        ["git", "--git-dir", reg.settings["STORE_PATH"], "count-objects", "-v"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = dict(line.split(": ", 1) for line in out.splitlines())
    return int(counts["count"]) + int(counts["in-pack"])


def assert_error(response, status: int) -> dict:
    """The response is the registry's JSON error body with this status; return the body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["code"] == status
    assert body["status"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"].strip(), body
    return body


def upload_pack(client, headers: dict, files: dict[str, bytes], filename: str = "pack.zip"):
    """POST files, zipped, as the multipart `archive` field."""
    return client.post(
        SUBMISSIONS,
        data={"archive": (io.BytesIO(build_zip(files).data), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


# --- The registry every test of this module uses -------------------------------------------------


class World:
    """A registry with one pack (two approved versions), a pending submission and every actor."""

    def __init__(self, app):
        from registry.services import accounts as account_service

        self.app = app
        self.client = app.test_client()
        self.reg = app.extensions["cmsreg"]
        accounts = Accounts(self.reg)
        revoked = accounts.token("herts-former", PUBLISHER)
        account_service.revoke_token(self.reg, revoked)
        self.headers: dict[str, dict[str, str]] = {
            "anonymous": {},
            "bad-token": auth(UNKNOWN_TOKEN),
            "malformed-header": {"Authorization": "Basic aGVydHM6c2VjcmV0"},
            "revoked-token": auth(revoked),
            "publisher": auth(accounts.token("herts-publisher", PUBLISHER)),
            "other-publisher": auth(accounts.token("cornwall-publisher", "cornwall")),
            # a member of the pack's organisation whose token lacks the publish scope
            "no-publish-scope": auth(accounts.token("herts-viewer", PUBLISHER, ("moderate",))),
            "moderator": auth(
                accounts.token("lcs-moderator", "lcs-ug", ("moderate",), moderates=("system-c",))
            ),
            "other-moderator": auth(
                accounts.token(
                    "mosaic-moderator", "mosaic-ug", ("moderate",), moderates=("access-group",)
                )
            ),
            "admin": auth(accounts.token("registry-admin", None, ("admin",))),
        }
        self._minor = itertools.count(0)  # first 1.0.0, latest 1.1.0, pending_id 1.2.0
        self.first = self.approved()
        self.latest = self.approved()
        self.pending_id = self.pending()

    def new_version(self) -> str:
        """A version number no submission has used yet."""
        return f"1.{next(self._minor)}.0"

    def pending(self) -> int:
        """A new pending submission; returns its id."""
        files = pack_files(depends=..., version=self.new_version())
        response = upload_pack(self.client, self.headers["publisher"], files)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def approved(self) -> str:
        """A new approved version; returns its version."""
        sid = self.pending()
        response = self.client.post(
            f"{SUBMISSIONS}/{sid}/approve", json={}, headers=self.headers["moderator"]
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()["version"]

    def yanked(self) -> str:
        """A new approved version, yanked; returns its version."""
        version = self.approved()
        response = self.client.post(
            f"{PACK}/versions/{version}/yank",
            json={"reason": "Routes referrals to the wrong team"},
            headers=self.headers["moderator"],
        )
        assert response.status_code == 200, response.get_json()
        return version

    def submission(self, sid: int) -> tuple:
        return next(s for s in state(self.reg).submissions if s[0] == sid)


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with running_app(request.param, tmp_path_factory.mktemp("permissions")) as app:
        yield World(app)


# --- The table -----------------------------------------------------------------------------------

# 200- : 200, but the queue leaves the submission out (it is not this actor's to see).
# 404 : another organisation cannot tell a submission exists (the answer for a missing one);
# 403 where the actor knows it exists (their own organisation, an admin) or lacks the scope.
MATRIX = """
action      anonymous bad-token malformed-header revoked-token publisher other-publisher no-publish-scope moderator other-moderator admin
pack        200       200       200              200           200       200             200              200       200             200
version     200       200       200              200           200       200             200              200       200             200
download    200       200       200              200           200       200             200              200       200             200
file        200       200       200              200           200       200             200              200       200             200
diff        200       200       200              200           200       200             200              200       200             200
submit      401       401       401              401           201       403             403              403       403             403
queue       401       401       401              401           200       200-            200-             200       200-            403
submission  401       401       401              401           200       404             403              200       404             403
approve     401       401       401              401           403       404             403              200       404             403
reject      401       401       401              401           403       404             403              200       404             403
withdraw    401       401       401              401           200       404             403              403       404             403
yank        401       401       401              401           200       403             403              200       403             403
unyank      401       401       401              401           200       403             403              200       403             403
"""


def _cells(table: str) -> tuple[tuple[str, ...], list[tuple[str, str, str]]]:
    """The actors (the header) and every (action, actor, expected) cell of the table."""
    header, *rows = [line.split() for line in table.strip().splitlines()]
    actors = tuple(header[1:])
    cells = [(row[0], a, cell) for row in rows for a, cell in zip(actors, row[1:], strict=True)]
    return actors, cells


ACTORS, CELLS = _cells(MATRIX)


@dataclass(frozen=True)
class Action:
    """How to set up, send and check one action; `prepare` returns its target."""

    prepare: Callable[[World], Any]
    send: Callable[[World, dict, Any], Any]
    check: Callable[[World, Any, Any, State, State], None] | None = None  # when allowed


def _get(path: Callable[[World, Any], str]) -> Callable[[World, dict, Any], Any]:
    return lambda w, headers, target: w.client.get(path(w, target), headers=headers)


def _post(path: Callable[[World, Any], str], body: dict) -> Callable[[World, dict, Any], Any]:
    return lambda w, headers, target: w.client.post(path(w, target), json=body, headers=headers)


def _submitted(w: World, version: str, response, before: State, after: State) -> None:
    body = response.get_json()
    assert (body["status"], body["version"], body["submitted_by"]) == (
        "pending",
        version,
        "herts-publisher",
    )
    assert after.submissions[len(before.submissions) :] == (
        (body["id"], "pending", f"{PUBLISHER}/{NAME}@{version}", None),
    )
    assert after.branches == tuple(sorted((*before.branches, str(body["id"]))))
    assert [a[1] for a in after.added_audit(before)] == ["submit"]


def _decided(status: str, action: str, branch_kept: bool):
    def check(w: World, sid: int, response, before: State, after: State) -> None:
        assert response.get_json()["status"] == status
        assert w.submission(sid)[1] == status
        assert [a[1] for a in after.added_audit(before)] == [action]
        assert (str(sid) in after.branches) is branch_kept
        if status == "approved":
            assert len(after.tags) == len(before.tags) + 1
        else:
            assert after.tags == before.tags

    return check


def _yank_state(yanked: bool, action: str):
    def check(w: World, version: str, response, before: State, after: State) -> None:
        assert response.get_json()["yanked"] is yanked
        row = next(v for v in after.versions if v[1] == version)
        assert row[2] is yanked
        assert [a[1:3] for a in after.added_audit(before)] == [
            (action, f"{PUBLISHER}/{NAME}@{version}")
        ]
        assert after.tags == before.tags and after.branches == before.branches

    return check


ACTIONS: dict[str, Action] = {
    "pack": Action(lambda w: None, _get(lambda w, t: PACK)),
    "version": Action(lambda w: w.latest, _get(lambda w, v: f"{PACK}/versions/{v}")),
    "download": Action(
        lambda w: w.latest, _get(lambda w, v: f"{PACK}/versions/{v}/download?format=zip")
    ),
    "file": Action(lambda w: w.latest, _get(lambda w, v: f"{PACK}/versions/{v}/files/README.md")),
    "diff": Action(lambda w: w.latest, _get(lambda w, v: f"{PACK}/diff?from={w.first}&to={v}")),
    "submit": Action(
        lambda w: w.new_version(),
        lambda w, headers, version: upload_pack(
            w.client, headers, pack_files(depends=..., version=version)
        ),
        _submitted,
    ),
    "queue": Action(lambda w: w.pending_id, _get(lambda w, sid: f"{SUBMISSIONS}?status=pending")),
    "submission": Action(lambda w: w.pending_id, _get(lambda w, sid: f"{SUBMISSIONS}/{sid}")),
    "approve": Action(
        lambda w: w.pending(),
        _post(lambda w, sid: f"{SUBMISSIONS}/{sid}/approve", {"note": "Checked at the user group"}),
        _decided("approved", "approve", branch_kept=False),
    ),
    "reject": Action(
        lambda w: w.pending(),
        _post(lambda w, sid: f"{SUBMISSIONS}/{sid}/reject", {"reason": "README lacks install"}),
        _decided("rejected", "reject", branch_kept=False),
    ),
    "withdraw": Action(
        lambda w: w.pending(),
        _post(lambda w, sid: f"{SUBMISSIONS}/{sid}/withdraw", {"note": "Wrong version number"}),
        _decided("withdrawn", "withdraw", branch_kept=False),
    ),
    "yank": Action(
        lambda w: w.approved(),
        _post(lambda w, v: f"{PACK}/versions/{v}/yank", {"reason": "Step CP2 is wrong"}),
        _yank_state(True, "yank"),
    ),
    "unyank": Action(
        lambda w: w.yanked(),
        _post(lambda w, v: f"{PACK}/versions/{v}/unyank", {"reason": "Step CP2 was right"}),
        _yank_state(False, "unyank"),
    ),
}


def test_the_table_covers_every_actor_and_action() -> None:
    assert ACTORS == (
        "anonymous",
        "bad-token",
        "malformed-header",
        "revoked-token",
        "publisher",
        "other-publisher",
        "no-publish-scope",
        "moderator",
        "other-moderator",
        "admin",
    )
    assert {action for action, _, _ in CELLS} == set(ACTIONS)
    assert len(CELLS) == len(ACTIONS) * len(ACTORS)


@pytest.mark.parametrize(
    ("action", "actor", "expected"), CELLS, ids=[f"{a}-{b}" for a, b, _ in CELLS]
)
def test_permission(world: World, action: str, actor: str, expected: str) -> None:
    act = ACTIONS[action]
    target = act.prepare(world)
    before = state(world.reg)
    response = act.send(world, world.headers[actor], target)
    after = state(world.reg)
    status = int(expected.rstrip("-"))
    if status >= 400:
        body = assert_error(response, status)
        if status == 401:  # who are you? (no token, or one the registry does not accept)
            assert "token" in body["message"].lower()
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        else:  # known, but not allowed: another token would not help this actor
            assert "WWW-Authenticate" not in response.headers
        assert after == before, "a refused request changed what the registry holds"
        return
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if act.check is None:  # a read
        assert after == before
    if action == "queue":
        listed = [s["id"] for s in response.get_json()]
        assert (target in listed) is (expected == "200")
    elif act.check is not None:
        act.check(world, target, response, before, after)


# --- 401 and 403 around the table ----------------------------------------------------------------


def test_a_token_stops_working_when_revoked(world: World) -> None:
    from registry.services import accounts as account_service

    token = Accounts(world.reg).token("herts-leaver", PUBLISHER)
    assert world.client.get(SUBMISSIONS, headers=auth(token)).status_code == 200
    account_service.revoke_token(world.reg, token)
    body = assert_error(world.client.get(SUBMISSIONS, headers=auth(token)), 401)
    assert "revoked" in body["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer cmsreg_",
        "Bearer " + UNKNOWN_TOKEN[:-1],
        "Bearer " + UNKNOWN_TOKEN + "A",
        "Bearer " + UNKNOWN_TOKEN.replace("A", "\u00c5", 1),
        "Bearer cmsreg_" + "A" * 42 + "=",
        "Bearer  " + UNKNOWN_TOKEN + " trailing",
        "Basic aGVydHM6c2VjcmV0",
        "Digest username=herts",
        UNKNOWN_TOKEN,
        "cmsreg_ " + UNKNOWN_TOKEN,
        "Bearer " + "x" * 10_000,
        "Bearer \t" + UNKNOWN_TOKEN,
    ],
    ids=lambda header: repr(header[:30]),
)
def test_malformed_authorization_is_401_wherever_a_token_is_needed(world: World, header) -> None:
    before = state(world.reg)
    for method, path in (
        ("GET", SUBMISSIONS),
        ("GET", f"{SUBMISSIONS}/{world.pending_id}"),
        ("POST", f"{SUBMISSIONS}/{world.pending_id}/approve"),
        ("POST", f"{PACK}/versions/{world.latest}/yank"),
    ):
        response = world.client.open(
            path, method=method, json={}, headers={"Authorization": header}
        )
        assert_error(response, 401)
    assert state(world.reg) == before


def test_public_reads_ignore_a_bad_token(world: World) -> None:
    for header in ("Bearer nonsense", "Basic aGVydHM6c2VjcmV0", "Bearer " + UNKNOWN_TOKEN):
        response = world.client.get(PACK, headers={"Authorization": header})
        assert response.status_code == 200


def test_anonymous_is_refused_before_the_body_is_looked_at(world: World) -> None:
    """401 comes first: no token, no parsing (and no buffering) of what was sent."""
    before = state(world.reg)
    cases = [
        ("POST", SUBMISSIONS, {"data": {}, "content_type": "multipart/form-data"}),
        ("POST", SUBMISSIONS, {"data": b"junk", "content_type": "application/zip"}),
        ("POST", f"{SUBMISSIONS}/{world.pending_id}/approve", {"data": b"{not json"}),
        ("POST", f"{SUBMISSIONS}/{world.pending_id}/reject", {"json": {"reason": 5}}),
        ("POST", f"{SUBMISSIONS}/{world.pending_id}/withdraw", {"json": ["x"]}),
        ("POST", f"{PACK}/versions/{world.latest}/yank", {"json": {}}),
        ("POST", f"{PACK}/versions/{world.latest}/unyank", {"data": b"\xff"}),
    ]
    for method, path, kwargs in cases:
        kwargs.setdefault("content_type", "application/json")
        assert_error(world.client.open(path, method=method, **kwargs), 401)
    assert state(world.reg) == before


def test_publisher_of_two_organisations_is_refused_for_a_third(world: World) -> None:
    from registry.db.models import Membership, Organisation, User

    accounts = Accounts(world.reg)
    token = accounts.token("shared-service", "cornwall")
    accounts.org("devon")
    with world.reg.db.session() as session:
        user = session.scalar(sa.select(User).where(User.username == "shared-service"))
        devon = session.scalar(sa.select(Organisation).where(Organisation.slug == "devon"))
        session.add(Membership(user_id=user.id, organisation_id=devon.id))
    before = state(world.reg)
    files = pack_files(depends=..., version=world.new_version())
    body = assert_error(upload_pack(world.client, auth(token), files), 403)
    assert "cornwall, devon" in body["message"] and PUBLISHER in body["message"]
    assert_error(
        world.client.post(
            f"{SUBMISSIONS}/{world.pending_id}/withdraw", json={}, headers=auth(token)
        ),
        404,
    )
    assert state(world.reg) == before


def test_refusals_say_what_is_missing(world: World) -> None:
    h = world.headers
    sid = world.pending_id
    cases = [
        (h["moderator"], f"{SUBMISSIONS}/{sid}/withdraw", {}, "`publish` scope"),
        (h["publisher"], f"{SUBMISSIONS}/{sid}/approve", {}, "`moderate` scope"),
        (h["no-publish-scope"], f"{SUBMISSIONS}/{sid}/approve", {}, "this pack is for system-c"),
        (h["admin"], f"{SUBMISSIONS}/{sid}/withdraw", {}, "`publish` scope"),
        (
            h["other-moderator"],
            f"{PACK}/versions/{world.latest}/yank",
            {"reason": "x"},
            f"{PUBLISHER}'s publishers or system-c moderators",
        ),
    ]
    for headers, path, body, words in cases:
        message = assert_error(world.client.post(path, json=body, headers=headers), 403)["message"]
        assert words in message, message


def test_a_missing_submission_is_404_for_any_token(world: World) -> None:
    h = world.headers
    for headers in (h["publisher"], h["moderator"], h["other-moderator"]):
        assert_error(
            world.client.post(f"{SUBMISSIONS}/999999/approve", json={}, headers=headers), 404
        )
        assert_error(world.client.get(f"{SUBMISSIONS}/999999", headers=headers), 404)


def test_another_organisation_cannot_tell_a_submission_exists(world: World) -> None:
    """Every answer about a submission of another organisation is the answer for a missing one."""
    h = world.headers
    sid = world.pending_id
    for headers in (h["other-publisher"], h["other-moderator"]):
        for method, suffix, body in (
            ("GET", "", None),
            ("POST", "/approve", {}),
            ("POST", "/reject", {"reason": "x"}),
            ("POST", "/withdraw", {}),
        ):
            real = world.client.open(
                f"{SUBMISSIONS}/{sid}{suffix}", method=method, json=body, headers=headers
            )
            missing = world.client.open(
                f"{SUBMISSIONS}/999999{suffix}", method=method, json=body, headers=headers
            )
            assert_error(real, 404)
            assert real.get_json()["message"].replace(str(sid), "N") == missing.get_json()[
                "message"
            ].replace("999999", "N")
            assert PUBLISHER not in real.get_data(as_text=True)


def test_rejected_submission_leaves_the_store_and_check_agrees(world: World):
    from registry.services.reconcile import check

    sid = world.pending()
    r = world.client.post(
        f"{SUBMISSIONS}/{sid}/reject",
        json={"reason": "Wrong team"},
        headers=world.headers["moderator"],
    )
    assert r.status_code == 200
    assert str(sid) not in state(world.reg).branches
    assert check(world.reg) == []
    r = world.client.post(
        f"{SUBMISSIONS}/{sid}/withdraw", json={}, headers=world.headers["publisher"]
    )
    assert r.status_code == 200
    assert world.submission(sid)[1] == "withdrawn"
    assert check(world.reg) == []
