"""Submissions: publish a pack, review the queue, approve, reject, withdraw."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from registry.api.auth import actor, registry, require_token_to_write
from registry.api.schemas import (
    PARSER,
    ApproveArgs,
    NoteArgs,
    ReasonArgs,
    SubmissionListArgs,
    SubmissionOut,
    UploadArgs,
)
from registry.db.models import Submission
from registry.errors import Forbidden, Unprocessable
from registry.services import moderation, publish
from registry.services.accounts import Actor

blp = Blueprint(
    "submissions",
    __name__,
    url_prefix="/api/v1/submissions",
    description="Publishing and review. Publishers see their organisation's submissions; moderators those of the suppliers they moderate.",
)
blp.ARGUMENTS_PARSER = PARSER  # before the views below are decorated
blp.before_request(require_token_to_write)


def as_dict(sub: Submission, diff: dict | None = None) -> dict:
    """A submission as the API shows it."""
    out = {
        "id": sub.id,
        "status": sub.status,
        "publisher": sub.publisher.slug,
        "name": sub.name,
        "version": sub.version,
        "supplier": sub.supplier,
        "submitted_by": sub.submitted_by,
        "submitted_at": sub.submitted_at,
        "decided_at": sub.decided_at,
        "reason": sub.reason,
        "commit": sub.commit,
        "checks": sub.report,
        "manifest": sub.manifest,
        "reviews": [
            {
                "moderator": r.moderator,
                "decision": r.decision,
                "note": r.note,
                "acknowledged": r.acknowledged,
                "created_at": r.created_at,
            }
            for r in sub.reviews
        ],
    }
    if diff is not None:
        out["diff"] = diff
    return out


def _may_see(who: Actor, sub: Submission) -> bool:
    return who.may_publish_for(sub.publisher.slug) or who.may_moderate(sub.supplier)


@blp.route("")
class SubmissionsView(MethodView):
    @blp.arguments(UploadArgs, location="files")
    @blp.response(201, SubmissionOut)
    def post(self, files: dict):
        """Submit a pack (multipart field `archive`, .zip or .tar.gz): 201 with id, status `pending` and checks."""
        sent = len(request.files.getlist("archive"))
        if sent > 1:
            raise Unprocessable(
                f"Send one pack at a time: the form has {sent} files in `archive`.",
                errors={"files": {"archive": ["send exactly one file"]}},
            )
        upload = files["archive"]
        sub = publish.submit(registry(), actor(), upload.stream, upload.filename or "upload")
        with registry().db.session() as session:
            return as_dict(publish.get_submission(session, sub.id))

    @blp.arguments(SubmissionListArgs, location="query")
    @blp.response(200, SubmissionOut(many=True))
    def get(self, args: dict):
        """The queue: your organisation's submissions, and those of the suppliers you moderate."""
        who = actor()
        if not ({"publish", "moderate"} & who.scopes):
            raise Forbidden("This needs a token with the publish or moderate scope.")
        with registry().db.session() as session:
            query = select(Submission).order_by(Submission.id)
            if args.get("status"):
                query = query.where(Submission.status == args["status"])
            return [as_dict(s) for s in session.scalars(query).all() if _may_see(who, s)]


@blp.route("/<int:submission_id>")
class SubmissionView(MethodView):
    @blp.response(200, SubmissionOut)
    def get(self, submission_id: int):
        """One submission: checks, findings, and the diff against the previous approved version."""
        who = actor()
        reg = registry()
        with reg.db.session() as session:
            sub = publish.visible_submission(session, who, submission_id)
            diff = (
                reg.store.diff_submission(sub.id, sub.publisher.slug, sub.name)
                if sub.status == "pending"
                else None
            )
            return as_dict(sub, diff.to_dict() if hasattr(diff, "to_dict") else diff)


@blp.route("/<int:submission_id>/approve")
class ApproveView(MethodView):
    @blp.arguments(ApproveArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Approve (moderate scope, for the pack's supplier); every warning must be acknowledged."""
        moderation.approve(
            registry(), actor(), submission_id, args.get("note"), args.get("acknowledge")
        )
        with registry().db.session() as session:
            return as_dict(publish.get_submission(session, submission_id))


@blp.route("/<int:submission_id>/reject")
class RejectView(MethodView):
    @blp.arguments(ReasonArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Reject (moderate scope); `reason` is required."""
        moderation.reject(registry(), actor(), submission_id, args["reason"])
        with registry().db.session() as session:
            return as_dict(publish.get_submission(session, submission_id))


@blp.route("/<int:submission_id>/withdraw")
class WithdrawView(MethodView):
    @blp.arguments(NoteArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Withdraw a pending or rejected submission of your organisation (publish scope)."""
        publish.withdraw(registry(), actor(), submission_id, args.get("note"))
        with registry().db.session() as session:
            return as_dict(publish.get_submission(session, submission_id))
