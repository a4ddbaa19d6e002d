"""Contributors: my submissions, uploading a pack, withdrawing; a submission and its files."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from registry.errors import RegistryError
from registry.services import publish, review_files, submissions
from registry.services.accounts import Actor
from registry.web import bp
from registry.web.auth import actor, publisher_required, registry, role_required
from registry.web.formerrors import summary
from registry.web.forms import ApproveForm, UploadForm, WithdrawForm
from registry.web.markdown import render

PER_PAGE = 50
README = "README.md"
# Anyone who publishes or moderates may open a submission; the services decide which ones.
contributor_required = role_required(lambda a: bool(a.organisations or a.suppliers))


def page_number() -> int:
    """The ?page= of a list, 1 when missing or unusable."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)


@bp.route("/submissions")
@publisher_required
def my_submissions():
    """Your organisations' submissions, newest first, with status, checks and reasons."""
    page = page_number()
    rows = submissions.queue(registry(), actor(moderate=False), page=page, per_page=PER_PAGE)
    return render_template("submissions.html", rows=rows, page=page, per_page=PER_PAGE)


def _problems(exc: RegistryError) -> list[dict]:
    """Every problem and finding a refused upload had, for one list on the page."""
    errors = exc.errors if isinstance(exc.errors, dict) else {}
    found = [
        {
            "text": f"{p.get('where') or 'pack'}{':' + str(p['line']) if p.get('line') else ''}: {p.get('message')}"
        }
        for p in errors.get("problems", [])
        if isinstance(p, dict)
    ]
    found += [
        {
            "text": f"{f.get('file')}:{f.get('line')}: {f.get('message') or f.get('rule')} ({f.get('masked', '')})"
        }
        for f in errors.get("findings", [])
        if isinstance(f, dict) and f.get("severity") == "block"
    ]
    return found


@bp.route("/submissions/new", methods=["GET", "POST"])
@publisher_required
def upload():
    """Upload a pack: the same checks as the API, every problem shown at once."""
    form = UploadForm()
    problems: list[dict] = []
    status = 200
    if form.validate_on_submit():
        upload = form.archive.data
        try:
            sub = publish.submit(
                registry(), actor(moderate=False), upload.stream, upload.filename or "upload"
            )
        except RegistryError as exc:
            form.form_errors.append(exc.message)
            problems = _problems(exc)
            status = exc.status
        else:
            flash(
                f"{sub.manifest['publisher']}/{sub.name} {sub.version} is waiting for a moderator.",
                "success",
            )
            return redirect(url_for("web.submission", submission_id=sub.id))
    errors = summary(form)
    if errors and status == 200:
        status = 422
    return render_template(
        "upload.html", form=form, problems=problems, error_summary=errors
    ), status


def submission_page(
    who: Actor, submission_id: int, *, review: bool, forms: dict | None = None, status: int = 200
):
    """A submission: status, checks, findings, reviews, files; for a moderator, README, diff
    and the decision forms."""
    reg = registry()
    sub = submissions.detail(reg, who, submission_id)
    files = review_files.files(reg, who, submission_id)
    readme = None
    if review and any(f["path"] == README for f in files):
        data, _ = review_files.read(reg, who, submission_id, README)
        readme = render(data.decode("utf-8", "replace"))
    base = f"/review/{submission_id}" if review else f"/submissions/{submission_id}"
    forms = forms or {}
    return render_template(
        "submission.html",
        sub=sub,
        files=files,
        readme=readme,
        review=review,
        base=base,
        who=who,
        forms=forms,
        warnings=_warnings(sub, forms.get("approve")),
        error_summary=forms.get("errors", []),
    ), status


def _warnings(sub: dict, form: ApproveForm | None) -> list[dict]:
    """The approve form's checkboxes: every warning finding and flag, to acknowledge."""
    checked = set(form.acknowledge.data or []) if form is not None else set()
    items = []
    for f in sub["checks"].get("findings", []):
        if f["severity"] == "warn":
            items.append(
                {
                    "value": f["id"],
                    "text": f"{f['id']}: {f['message']}",
                    "hint": {"text": f"{f['file']}, line {f['line']}: {f['masked']}"},
                    "checked": f["id"] in checked,
                }
            )
    for flag in sub["checks"].get("flags", []):
        items.append(
            {"value": flag["id"], "text": flag["message"], "checked": flag["id"] in checked}
        )
    return items


@bp.route("/submissions/<int:submission_id>")
@contributor_required
def submission(submission_id: int):
    """One of your organisations' submissions."""
    return submission_page(actor(), submission_id, review=False, forms={"withdraw": WithdrawForm()})


@bp.route("/submissions/<int:submission_id>/withdraw", methods=["POST"])
@publisher_required
def withdraw(submission_id: int):
    """Withdraw a pending or rejected submission."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        return submission_page(
            actor(),
            submission_id,
            review=False,
            forms={"withdraw": form, "errors": summary(form)},
            status=422,
        )
    publish.withdraw(registry(), actor(moderate=False), submission_id, form.note.data)
    flash(f"Submission {submission_id} is withdrawn.", "success")
    return redirect(url_for("web.my_submissions"))


def submission_file(who: Actor, submission_id: int, path: str, base: str):
    """One file of a submission, shown as text with the finding's line highlighted."""
    _, shown = review_files.read(registry(), who, submission_id, path)
    return render_template(
        "file.html",
        shown=shown,
        path=path,
        line=request.args.get("line", type=int),
        raw=None,
        back=(base, f"submission {submission_id}"),
        crumbs=[{"text": f"Submission {submission_id}", "href": base}],
    )


@bp.route("/submissions/<int:submission_id>/files/<path:path>", merge_slashes=False)
@contributor_required
def submission_file_view(submission_id: int, path: str):
    """A file of one of your organisations' submissions."""
    return submission_file(actor(), submission_id, path, f"/submissions/{submission_id}")
