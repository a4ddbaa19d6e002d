"""Moderators: the review queue, a submission under review, approve and reject."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from registry.errors import RegistryError
from registry.services import moderation, submissions
from registry.web import bp
from registry.web.auth import account, actor, moderator_required, registry
from registry.web.formerrors import adopt, summary
from registry.web.forms import ApproveForm, RejectForm
from registry.web.views_submit import PER_PAGE, page_number, submission_file, submission_page


def _moderator():
    # What a moderator sees and does here is as a moderator only, even of a pack of their own
    # organisation (which the services show them, and refuse to let them approve).
    return actor(publish=False)


@bp.route("/review")
@moderator_required
def review_queue():
    """Pending submissions for the suppliers you moderate, oldest first, with their age."""
    me = account()
    supplier = request.args.get("supplier")
    if supplier not in me.suppliers:
        supplier = None
    page = page_number()
    rows = submissions.queue(
        registry(),
        _moderator(),
        status="pending",
        supplier=supplier,
        sort="oldest",
        page=page,
        per_page=PER_PAGE,
    )
    return render_template(
        "queue.html", rows=rows, me=me, supplier=supplier, page=page, per_page=PER_PAGE
    )


def _forms(approve: ApproveForm | None = None, reject: RejectForm | None = None, errors=None):
    return {
        "approve": approve or ApproveForm(),
        "reject": reject or RejectForm(),
        "errors": errors or [],
    }


@bp.route("/review/<int:submission_id>")
@moderator_required
def review(submission_id: int):
    """A submission under review: checks, findings, manifest, README, files, diff, decision."""
    return submission_page(_moderator(), submission_id, review=True, forms=_forms())


@bp.route("/review/<int:submission_id>/approve", methods=["POST"])
@moderator_required
def approve(submission_id: int):
    """Approve, every warning acknowledged; the service refuses what may not be approved."""
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            moderation.approve(
                registry(), _moderator(), submission_id, form.note.data, form.acknowledge.data
            )
        except RegistryError as exc:
            if exc.status == 404:
                raise
            adopt(form, exc, whole=("acknowledge",))
        else:
            done = submissions.after_decision(registry(), submission_id)
            flash(
                f"Approved: {done['publisher']}/{done['name']} {done['version']} is public.",
                "success",
            )
            return redirect(url_for("web.review_queue"))
    return submission_page(
        _moderator(),
        submission_id,
        review=True,
        forms=_forms(approve=form, errors=summary(form)),
        status=422,
    )


@bp.route("/review/<int:submission_id>/reject", methods=["POST"])
@moderator_required
def reject(submission_id: int):
    """Reject with a reason the publisher can act on."""
    form = RejectForm()
    if form.validate_on_submit():
        try:
            moderation.reject(registry(), _moderator(), submission_id, form.reason.data)
        except RegistryError as exc:
            if exc.status == 404:
                raise
            adopt(form, exc)
        else:
            flash(
                f"Submission {submission_id} is rejected; the publisher sees your reason.",
                "success",
            )
            return redirect(url_for("web.review_queue"))
    return submission_page(
        _moderator(),
        submission_id,
        review=True,
        forms=_forms(reject=form, errors=summary(form)),
        status=422,
    )


@bp.route("/review/<int:submission_id>/files/<path:path>", merge_slashes=False)
@moderator_required
def review_file(submission_id: int, path: str):
    """A file of a submission under review, the finding's line highlighted."""
    return submission_file(_moderator(), submission_id, path, f"/review/{submission_id}")
