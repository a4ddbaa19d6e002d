"""Signing in and out, sessions, tokens on the account page, invitations, create-user."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import update

from registry.db.models import ApiToken
from tests.web.conftest import csrf_token, post, sign_in, text
from tests.web.world import JO, MORGAN, SAM

TOKEN_RE = re.compile(r'<code id="token"[^>]*>(cmsreg_[A-Za-z0-9_-]{43})</code>')


def make_token(browser, name="laptop", scopes=("publish",), days="30") -> str:
    page = post(
        browser,
        "/account/tokens",
        {"name": name, "scopes": list(scopes), "days": days},
        form_page="/account",
    )
    assert page.status_code == 200, text(page)
    assert page.headers["Cache-Control"] == "no-store"
    return TOKEN_RE.search(text(page)).group(1)


def test_sign_in_with_username_or_email_then_sign_out(browser):
    assert browser.get("/account").status_code == 302
    done = sign_in(browser, SAM)
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert "Hertfordshire" in text(browser.get("/account"))
    post(browser, "/sign-out", form_page="/account")
    assert browser.get("/account").status_code == 302
    by_email = sign_in(browser, SAM, login=SAM.email.upper())
    assert by_email.status_code == 302


def test_a_failed_sign_in_says_the_same_whatever_was_wrong(browser):
    wrong_password = post(
        browser, "/sign-in", {"login": "sam", "password": "not the password at all"}
    )
    no_such_user = post(
        browser, "/sign-in", {"login": "nobody", "password": "not the password at all"}
    )
    for page in (wrong_password, no_such_user):
        assert page.status_code == 401
        assert "Enter a correct username or e-mail address and password." in text(page)
    assert text(wrong_password).count("There is a problem") == text(no_such_user).count(
        "There is a problem"
    )


def test_sign_in_goes_back_only_to_this_site(browser):
    token = csrf_token(browser, "/sign-in")
    for target, expected in (
        ("/review", "/review"),
        ("//evil.example", "/account"),
        ("https://evil.example", "/account"),
    ):
        page = browser.post(
            f"/sign-in?next={target}",
            data={"login": "morgan", "password": MORGAN.password, "csrf_token": token},
        )
        assert page.headers["Location"] == expected
        post(browser, "/sign-out", form_page="/account")
        token = csrf_token(browser, "/sign-in")


def test_sign_in_is_rate_limited_with_a_page_in_the_same_style(world_template, tmp_path):
    from registry import create_app
    from tests.web import world

    instance = world.copy(world_template, tmp_path / "limited")
    app = create_app(
        {
            "INSTANCE": str(instance),
            "TESTING": True,
            "SECRET_KEY": "k" * 32,
            "SIGN_IN_LIMIT": "3 per minute",
        }
    )
    try:
        client = app.test_client()
        token = csrf_token(client, "/sign-in")
        answers = [
            client.post(
                "/sign-in",
                data={"login": "sam", "password": "wrong wrong wrong", "csrf_token": token},
            ).status_code
            for _ in range(4)
        ]
        assert answers == [401, 401, 401, 429]
        page = client.post(
            "/sign-in", data={"login": "sam", "password": SAM.password, "csrf_token": token}
        )
        assert (
            page.status_code == 429
            and "Too many attempts" in text(page)
            and "Retry-After" in page.headers
        )
    finally:
        app.extensions["cmsreg"].close()


def test_session_cookie_is_httponly_lax_and_secure_over_tls(browser):
    done = sign_in(browser, SAM)
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    post(browser, "/sign-out", form_page="/account")
    token = csrf_token(browser, "/sign-in")
    tls = browser.post(
        "/sign-in",
        data={"login": "sam", "password": SAM.password, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},  # Flask-WTF checks it over TLS
    )
    assert "Secure" in tls.headers["Set-Cookie"]


def test_a_token_made_on_the_account_page_works_on_the_api_until_revoked(browser):
    sign_in(browser, SAM)
    token = make_token(browser, name="publishing laptop")
    api = browser.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    account = text(browser.get("/account"))
    assert "publishing laptop" in account and token[:12] in account and token not in account
    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', account).group(1)
    post(browser, f"/account/tokens/{token_id}/revoke", form_page="/account")
    assert "Revoked" in text(browser.get("/account"))
    assert (
        browser.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_an_expired_token_answers_401(browser, wreg):
    sign_in(browser, SAM)
    token = make_token(browser, days="7")
    with wreg.db.session() as session:
        session.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    answer = browser.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and "expired" in answer.get_json()["message"]
    assert "Expired" in text(browser.get("/account"))


def test_token_scopes_are_only_those_the_roles_give(browser):
    sign_in(browser, SAM)  # publishes, moderates nothing
    refused = post(
        browser,
        "/account/tokens",
        {"name": "x", "scopes": ["moderate"], "days": "30"},
        form_page="/account",
    )
    assert refused.status_code == 422 and "There is a problem" in text(refused)
    none = post(browser, "/account/tokens", {"name": "x", "days": "30"}, form_page="/account")
    assert none.status_code == 422 and "choose at least one scope" in text(none).lower()
    odd = post(
        browser,
        "/account/tokens",
        {"name": "x", "scopes": ["publish"], "days": "3650"},
        form_page="/account",
    )
    assert odd.status_code == 422


def test_no_one_revokes_another_persons_token(web, wreg):
    first, second = web.test_client(), web.test_client()
    sign_in(first, SAM)
    make_token(first)
    token_id = re.search(
        r'action="/account/tokens/(\d+)/revoke"', text(first.get("/account"))
    ).group(1)
    sign_in(second, JO)
    assert (
        post(second, f"/account/tokens/{token_id}/revoke", form_page="/account").status_code == 404
    )
    assert "Revoke" in text(first.get("/account"))


def test_sign_out_everywhere_ends_every_session(web):
    laptop, phone = web.test_client(), web.test_client()
    sign_in(laptop, SAM)
    sign_in(phone, SAM)
    done = post(laptop, "/account/sign-out-everywhere", form_page="/account")
    assert done.status_code == 302
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302  # the other browser's cookie is dead too
    sign_in(phone, SAM)
    assert phone.get("/account").status_code == 200


def test_every_form_refuses_a_post_without_its_csrf_token(browser):
    sign_in(browser, SAM)
    for path in (
        "/sign-out",
        "/account/tokens",
        "/account/sign-out-everywhere",
        "/account/tokens/1/revoke",
        "/account/invite",
        "/submissions/new",
        "/submissions/1/withdraw",
        "/review/1/approve",
        "/review/1/reject",
    ):
        page = browser.post(path, data={"name": "x", "scopes": "publish", "days": "30"})
        assert page.status_code == 400, path
        assert "The form had expired" in text(page), path
    assert (
        browser.post("/sign-in", data={"login": "sam", "password": SAM.password}).status_code == 400
    )
    assert browser.get("/account").status_code == 200  # still signed in: nothing happened


def test_an_admin_invites_a_colleague_who_makes_an_account(browser, wreg):
    sign_in(browser, SAM)
    sent = post(
        browser,
        "/account/invite",
        {"email": "Kim@Hertfordshire.example.gov.uk", "organisation": "hertfordshire"},
    )
    assert sent.status_code == 302
    assert "kim@hertfordshire.example.gov.uk" in text(browser.get("/account/invite"))
    outbox = sorted(
        (wreg.settings["OUTBOX"] and __import__("pathlib").Path(wreg.settings["OUTBOX"])).glob(
            "*.eml"
        )
    )
    assert len(outbox) == 1
    message = email.message_from_bytes(outbox[0].read_bytes())
    assert message["To"] == "kim@hertfordshire.example.gov.uk"
    link = re.search(
        r"http://localhost(/invitations/\S+)", message.get_payload(decode=True).decode()
    ).group(1)
    post(browser, "/sign-out", form_page="/account")
    weak = post(browser, link, {"username": "kim", "password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "at least 12 characters" in text(weak)
    made = post(
        browser,
        link,
        {
            "username": "kim",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )
    assert made.status_code == 302
    assert "Hertfordshire" in text(browser.get("/account"))
    post(browser, "/sign-out", form_page="/account")
    assert browser.get(link).status_code == 404  # a link works once


def test_only_an_organisations_admin_may_invite(browser):
    sign_in(browser, JO)
    assert browser.get("/account/invite").status_code == 403


def test_create_user_with_a_password_from_stdin_and_as_admin(world_template, tmp_path, monkeypatch):
    from registry.commands import cli
    from registry.services import accounts
    from registry.services.context import Registry
    from tests.web import world

    instance = world.copy(world_template, tmp_path / "cli")
    monkeypatch.setenv("CMSREG_INSTANCE", str(instance))
    done = CliRunner().invoke(
        cli,
        [
            "create-user",
            "lee",
            "--org",
            "essex",
            "--admin",
            "--email",
            "lee@essex.example.gov.uk",
            "--password-stdin",
        ],
        input="a password from standard input\n",
    )
    assert done.exit_code == 0, done.output
    assert "an admin of essex" in done.output
    reg = Registry.from_settings({"INSTANCE": str(instance)})
    try:
        found = accounts.sign_in(reg, "lee@essex.example.gov.uk", "a password from standard input")
        assert found.admin_of == frozenset({"essex"})
    finally:
        reg.close()
    short = CliRunner().invoke(cli, ["create-user", "lou", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
