"""Signing in and out, the account page (API tokens, sign out everywhere), invitations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from registry.errors import RegistryError, Unauthorized
from registry.services import accounts, invitations
from registry.web import bp
from registry.web.auth import WebUser, account, login_required, registry, role_required, signed_in
from registry.web.formerrors import adopt, summary
from registry.web.forms import (
    AcceptForm,
    EmptyForm,
    InviteForm,
    SignInForm,
    TokenForm,
    choices,
)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/account"


def _signed_in_as(found: accounts.SessionUser) -> None:
    session.clear()  # a new session for the new user: nothing carried over from before
    login_user(WebUser(found))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with a username or e-mail address and a password (rate-limited)."""
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        try:
            found = accounts.sign_in(registry(), form.login.data, form.password.data)
        except Unauthorized as exc:
            error = exc.message  # the same whatever was wrong
        else:
            _signed_in_as(found)
            return redirect(safe_next(request.args.get("next")))
    errors = summary(form) + ([{"text": error, "href": "#login"}] if error else [])
    status = 401 if error else 200
    return render_template("sign_in.html", form=form, error_summary=errors), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """Sign out of this browser."""
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect("/")


def _account_page(token_form: TokenForm | None = None, errors: list | None = None, status=200):
    me = account()
    reg = registry()
    form = token_form or TokenForm()
    form.scopes.choices = choices([(s, s) for s in me.allowed_scopes()])
    return (
        render_template(
            "account.html",
            me=me,
            tokens=accounts.own_tokens(reg, me.id),
            token_form=form,
            button=EmptyForm(),
            error_summary=errors or [],
        ),
        status,
    )


@bp.route("/account")
@login_required
def account_page():
    """Who you are, your API tokens, and signing out everywhere."""
    return _account_page()


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    """Make an API token: shown once, on the page this answers with."""
    me = account()
    form = TokenForm()
    form.scopes.choices = choices([(s, s) for s in me.allowed_scopes()])
    if form.validate_on_submit():
        try:
            token = accounts.create_own_token(
                registry(), me, form.name.data, form.scopes.data, int(form.days.data)
            )
        except RegistryError as exc:
            adopt(form, exc)
        else:
            return render_template(
                "token_created.html",
                token=token,
                name=form.name.data.strip(),
                scopes=form.scopes.data,
                days=int(form.days.data),
            )
    return _account_page(form, summary(form), 422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of your tokens: the API refuses it from now on."""
    accounts.revoke_own_token(registry(), account(), token_id)
    flash("The token is revoked: the API refuses it from now on.", "success")
    return redirect(url_for("web.account_page"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session of this account, in every browser (API tokens are not affected)."""
    accounts.end_sessions(registry(), account().id)
    logout_user()
    session.clear()
    flash(
        "You have signed out on every device. Your API tokens still work until revoked.", "success"
    )
    return redirect(url_for("web.sign_in"))


@bp.route("/account/invite", methods=["GET", "POST"])
@role_required(lambda a: bool(a.admin_of))
def invite():
    """An organisation admin invites a colleague by e-mail."""
    me = account()
    form = InviteForm()
    form.organisation.choices = choices(
        [(slug, me.organisations[slug]) for slug in sorted(me.admin_of)]
    )
    if len(me.admin_of) == 1 and not form.organisation.data:
        form.organisation.data = next(iter(me.admin_of))
    if form.validate_on_submit():
        try:
            invitations.invite(
                registry(),
                me,
                form.organisation.data,
                form.email.data,
                lambda code: url_for("web.accept_invitation", code=code, _external=True),
            )
        except RegistryError as exc:
            adopt(form, exc)
        else:
            flash(f"Invitation sent to {form.email.data.strip()}.", "success")
            return redirect(url_for("web.invite"))
    errors = summary(form)
    return render_template(
        "invite.html",
        form=form,
        pending=invitations.pending(registry(), me),
        error_summary=errors,
    ), (422 if errors else 200)


@bp.route("/invitations/<code>", methods=["GET", "POST"])
def accept_invitation(code: str):
    """Make your account from an invitation link, and sign in."""
    reg = registry()
    details = invitations.invitation(reg, code)  # 404 once used or expired
    form = AcceptForm()
    if signed_in() is None and form.validate_on_submit():
        try:
            found = invitations.accept(reg, code, form.username.data.strip(), form.password.data)
        except RegistryError as exc:
            adopt(form, exc)
        else:
            _signed_in_as(found)
            flash(f"Welcome: you publish for {details['organisation']} now.", "success")
            return redirect(url_for("web.account_page"))
    errors = summary(form)
    return render_template("accept.html", form=form, details=details, error_summary=errors), (
        422 if errors else 200
    )
