"""Headers, the Content-Security-Policy, escaping of every user-supplied field, assets."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.web.conftest import post, sign_in, text
from tests.web.world import MORGAN, SAM

PAGES = (
    "/",
    "/search?q=hostile",
    "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/packs/evil/hostile-pack",
    "/packs/evil/hostile-pack/versions/1.0.1",
    "/packs/evil/hostile-pack/versions/1.0.0/files/config/evil.xml",
    "/packs/evil/hostile-pack/versions/1.0.0/files/README.md",
    "/packs/evil/hostile-pack/compare?from=1.0.0&to=1.0.1",
    "/publishers",
    "/publishers/evil",
    "/sign-in",
    "/no/such/page",
)
UNSAFE = re.compile(r"<script>alert|<img src=x|<b>kw|<i>m</i>", re.I)


class Markup(HTMLParser):
    """Every element and attribute a page really has (text that merely looks like markup is
    not an element)."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_every_user_supplied_field_is_escaped(browser):
    for path in PAGES:
        body = text(browser.get(path))
        assert not UNSAFE.search(body), (path, UNSAFE.search(body))
        tags = Markup(body).tags
        assert not [t for t, _ in tags if t in ("img", "iframe", "object", "embed")], path
        assert all(a.get("src") for t, a in tags if t == "script"), path
    pack = text(browser.get("/packs/evil/hostile-pack"))
    for shown in (
        "Title &lt;script&gt;",
        "Summary &lt;img src=x",
        "kw &lt;script&gt;",
        "Maintainer &lt;script&gt;",
        "Evil &lt;script&gt;",
    ):
        assert shown in pack, shown
    links = [a for t, a in Markup(pack).tags if t == "a" and a.get("href") == "https://example.org"]
    assert links and links[0]["rel"] == "nofollow noopener noreferrer"
    assert "Reason &lt;script&gt;" in pack


def test_what_people_type_in_forms_is_escaped_back(browser):
    sign_in(browser, SAM)
    made = post(
        browser,
        "/account/tokens",
        {"name": "<script>alert(1)</script>", "scopes": ["publish"], "days": "7"},
        form_page="/account",
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(made) and "<script>alert(1)" not in text(
        made
    )
    assert "<script>alert(1)" not in text(browser.get("/account"))
    failed = post(
        browser,
        "/sign-in",
        {"login": '"><script>alert(1)</script>', "password": "x"},
        form_page="/sign-in",
    )
    assert "<script>alert(1)" not in text(failed)


def test_reviewers_reasons_are_escaped_for_the_publisher(web):
    morgan = web.test_client()
    sign_in(morgan, MORGAN)
    sub_id = re.search(r'href="/review/(\d+)"', text(morgan.get("/review"))).group(1)
    post(
        morgan,
        f"/review/{sub_id}/reject",
        {"reason": "<img src=x onerror=alert(1)>"},
        form_page=f"/review/{sub_id}",
    )
    sam = web.test_client()
    sign_in(sam, SAM)
    for path in ("/submissions", f"/submissions/{sub_id}"):
        body = text(sam.get(path))
        assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img src=x" not in body


def test_pages_carry_a_strict_policy_and_no_inline_script_or_style(browser):
    sign_in(browser, SAM)
    for path in (*PAGES, "/account", "/submissions", "/submissions/new"):
        page = browser.get(path)
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert page.headers["X-Frame-Options"] == "DENY"
        tags = Markup(text(page)).tags
        assert all(a.get("src") for t, a in tags if t == "script"), path  # every script a file
        assert not [t for t, a in tags if t == "style" or "style" in a], path
        assert not [a for _, a in tags if any(name.startswith("on") for name in a)], path


def test_pack_files_are_never_served_as_html_svg_or_script(browser):
    raw = browser.get("/api/v1/packs/evil/hostile-pack/versions/1.0.0/files/config/evil.xml")
    assert raw.mimetype == "text/plain" and raw.headers["Content-Security-Policy"].startswith(
        "sandbox"
    )
    page = browser.get("/packs/evil/hostile-pack/versions/1.0.0/files/config/evil.xml")
    assert page.mimetype == "text/html" and "&lt;script&gt;" in text(page)


def test_api_errors_stay_json_and_page_errors_are_pages(browser):
    api = browser.get("/api/v1/packs/nobody/nothing")
    assert api.status_code == 404 and api.is_json
    page = browser.get("/packs/nobody/nothing")
    assert page.status_code == 404 and "No pack nobody/nothing" in text(page)
    assert browser.post("/").status_code == 405


def test_assets_are_fingerprinted_and_cached_for_a_year(browser):
    body = text(browser.get("/"))
    urls = re.findall(r'(?:href|src)="(/assets/[^"]+)"', body)
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.[a-z]+$", url), url
        asset = browser.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    css = browser.get(next(u for u in urls if "govuk-frontend" in u)).get_data(as_text=True)
    assert "@font-face" not in css  # GDS Transport is for GOV.UK only
    assert "/assets/images/govuk-crest." in css and "sourceMappingURL" not in css
    assert browser.get("/assets/govuk-frontend.min.css").status_code == 404
