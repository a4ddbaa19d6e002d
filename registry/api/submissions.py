"""Submissions: publish a pack, review the queue, approve, reject, withdraw."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from registry.api.auth import actor, registry, require_token_to_write
from registry.api.packs import file_response
from registry.api.schemas import (
    PARSER,
    ApproveArgs,
    DownloadArgs,
    DryRunArgs,
    NoteArgs,
    ReasonArgs,
    SubmissionFileOut,
    SubmissionListArgs,
    SubmissionOut,
    UploadArgs,
)
from registry.errors import Unprocessable
from registry.services import moderation, publish, review_files, submissions

blp = Blueprint(
    "submissions",
    __name__,
    url_prefix="/api/v1/submissions",
    description="Publishing and review. Publishers see their organisation's submissions; moderators those of the suppliers they moderate.",
)
blp.ARGUMENTS_PARSER = PARSER  # before the views below are decorated
blp.before_request(require_token_to_write)


@blp.route("")
class SubmissionsView(MethodView):
    @blp.arguments(DryRunArgs, location="query")
    @blp.arguments(UploadArgs, location="files")
    @blp.response(201, SubmissionOut)
    @blp.alt_response(
        200, schema=SubmissionOut, description="`?dry_run=true`: the would-be submission"
    )
    def post(self, query: dict, files: dict):
        """Submit a pack (multipart field `archive`, .zip or .tar.gz): 201 with id, status `pending`, checks and who reviews it; `?dry_run=true` checks everything and stores nothing (200)."""
        sent = len(request.files.getlist("archive"))
        if sent > 1:
            raise Unprocessable(
                f"Send one pack at a time: the form has {sent} files in `archive`.",
                errors={"files": {"archive": ["send exactly one file"]}},
            )
        upload = files["archive"]
        filename = upload.filename or "upload"
        if query["dry_run"]:
            return publish.dry_run(registry(), actor(), upload.stream, filename), 200
        sub = publish.submit(registry(), actor(), upload.stream, filename)
        return submissions.after_submit(registry(), sub.id)

    @blp.arguments(SubmissionListArgs, location="query")
    @blp.response(200, SubmissionOut(many=True))
    def get(self, args: dict):
        """The queue: your organisation's submissions, and those of the suppliers you moderate, newest first (`sort=oldest` for review order), a page at a time."""
        return submissions.queue(registry(), actor(), **args)


@blp.route("/<int:submission_id>")
class SubmissionView(MethodView):
    @blp.response(200, SubmissionOut)
    def get(self, submission_id: int):
        """One submission: checks, findings, and the diff against the previous approved version."""
        return submissions.detail(registry(), actor(), submission_id)


@blp.route("/<int:submission_id>/approve")
class ApproveView(MethodView):
    @blp.arguments(ApproveArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Approve (moderate scope, for the pack's supplier); every warning must be acknowledged."""
        moderation.approve(
            registry(), actor(), submission_id, args.get("note"), args.get("acknowledge")
        )
        return submissions.after_decision(registry(), submission_id)


@blp.route("/<int:submission_id>/reject")
class RejectView(MethodView):
    @blp.arguments(ReasonArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Reject (moderate scope); `reason` is required."""
        moderation.reject(registry(), actor(), submission_id, args["reason"])
        return submissions.after_decision(registry(), submission_id)


@blp.route("/<int:submission_id>/withdraw")
class WithdrawView(MethodView):
    @blp.arguments(NoteArgs)
    @blp.response(200, SubmissionOut)
    def post(self, args: dict, submission_id: int):
        """Withdraw a pending or rejected submission of your organisation (publish scope)."""
        publish.withdraw(registry(), actor(), submission_id, args.get("note"))
        return submissions.after_decision(registry(), submission_id)


# A submission's files, so that a moderator can open every one (Word and Excel included) and
# the publisher can see what they sent. Only those who may see the submission may see its
# files; a rejected or withdrawn submission's files are gone (410).
@blp.route("/<int:submission_id>/files")
class SubmissionFilesView(MethodView):
    @blp.response(200, SubmissionFileOut(many=True))
    def get(self, submission_id: int):
        """Every file of a submission with its size, SHA-256 and type; 410 once rejected or withdrawn."""
        return review_files.listing(registry(), actor(), submission_id)


# merge_slashes=False: `files//etc/passwd` is refused as absolute, not redirected to etc/passwd.
@blp.route("/<int:submission_id>/files/<path:path>", merge_slashes=False)
class SubmissionFileView(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, submission_id: int, path: str):
        """One file of a submission, byte for byte: text as plain text, anything else as a download."""
        found = review_files.raw(registry(), actor(), submission_id, path)
        response = file_response(path, found.data, found.is_text)
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/<int:submission_id>/download")
class SubmissionDownloadView(MethodView):
    @blp.arguments(DownloadArgs, location="query")
    @blp.response(200, content_type="application/zip")
    def get(self, args: dict, submission_id: int):
        """The submission's files as a zip (or `format=tar.gz`), built as `cmsreg build` builds it."""
        found = review_files.archive(registry(), actor(), submission_id, args["format"])
        media = "application/zip" if args["format"] == "zip" else "application/gzip"
        response = Response(found.built.data, content_type=media)
        response.headers.set("Content-Disposition", "attachment", filename=found.filename)
        response.headers["X-Checksum-SHA256"] = found.built.sha256
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response
