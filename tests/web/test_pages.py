"""Pages for everyone: home, search, a pack, its files, comparing versions, publishers."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from tests.web.conftest import text
from tests.web.world import SOS, SOS_AFTER, SOS_BEFORE


def test_home_has_search_counts_and_recent_packs(browser):
    page = browser.get("/")
    body = text(page)
    assert page.status_code == 200
    assert '<form method="get" action="/search" role="search"' in body
    for heading in ("By supplier", "By product", "By practice model"):
        assert heading in body
    assert 'href="/search?practice_model=signs-of-safety"' in body
    assert "Recently approved" in body and 'href="/packs/evil/hostile-pack"' in body


def test_search_narrows_by_two_filters_or_within_and_across(browser):
    both = text(browser.get("/search?supplier=access-group&practice_model=signs-of-safety"))
    assert "/packs/essex/signs-of-safety-assessment" in both
    assert "1 pack found" in both
    # OR within a facet: two suppliers give more than one of them.
    one = text(browser.get("/search?supplier=access-group"))
    two = text(browser.get("/search?supplier=access-group&supplier=system-c"))
    count = lambda body: int(re.search(r"(\d+) packs? found", body).group(1))  # noqa: E731
    assert count(two) > count(one) > count(both)
    # Chosen filters stay checked, with their counts, and can be removed one at a time.
    assert re.search(r'value="access-group" checked', both)
    assert (
        'Remove <span class="govuk-visually-hidden">supplier filter</span> The Access Group' in both
    )


def test_search_url_carries_the_whole_state(browser):
    body = text(browser.get("/search?q=assessment&sort=name&supplier=access-group&page=1"))
    assert 'value="assessment"' in body
    assert '<option value="name" selected>' in body
    for href in re.findall(r'href="(/search\?[^"]+)"', body):
        params = dict(parse_qsl(urlsplit(href.replace("&amp;", "&")).query))
        if "q" in params:
            assert params["q"] == "assessment"


def test_search_highlights_are_marked_and_nothing_else(browser):
    body = text(browser.get("/search?q=danger+statements"))
    assert "<mark>danger</mark>" in body or "<mark>Danger</mark>" in body


def test_did_you_mean_and_an_empty_state_that_suggests(browser):
    body = text(browser.get("/search?q=safegaurding"))
    assert "Did you mean" in body and "safeguarding" in body
    empty = text(browser.get("/search?q=zzzqqqxxy&supplier=olm"))
    assert "0 packs found" in empty
    assert "search without filters" in empty and "check the spelling" in empty


def test_search_paginates_and_survives_bad_parameters(browser):
    page2 = browser.get("/search?page=2")
    assert page2.status_code == 200
    assert browser.get("/search?page=x&sort=nonsense&all=nope").status_code == 200
    body = text(browser.get("/search"))
    assert 'aria-label="Result pages"' in body and "page=2" in body


def test_pack_page_shows_everything_a_council_needs(browser, wreg):
    body = text(browser.get("/packs/essex/signs-of-safety-assessment"))
    from registry.services import catalogue

    v = catalogue.version_detail(wreg, *SOS, "latest")
    assert "Signs of Safety assessment and safety plan for Mosaic" in body
    assert v["archive_sha256"]["zip"] in body and v["archive_sha256"]["tar.gz"] in body
    assert f"cmsreg download essex/signs-of-safety-assessment@{SOS_AFTER}" in body
    assert (
        f"/api/v1/packs/essex/signs-of-safety-assessment/versions/{SOS_AFTER}/download?format=zip"
        in body
    )
    assert "format=tar.gz" in body
    assert 'href="/search?practice_model=signs-of-safety"' in body  # tags lead into search
    assert "Mosaic</a> &gt;=23.1" in body  # product compatibility
    assert 'class="cmsreg-prose"' in body and f"<h2>Changes in {SOS_AFTER}</h2>" in body  # README
    assert SOS_BEFORE in body and SOS_AFTER in body and "Compare versions" in body
    assert "config/forms/sos-assessment.moform" in body and "KB" in body
    assert 'href="/publishers/essex"' in body and "Essex County Council" in body


def test_an_older_version_and_a_yanked_one_say_so(browser):
    old = text(browser.get(f"/packs/essex/signs-of-safety-assessment/versions/{SOS_BEFORE}"))
    assert (
        "The latest version is" in old
        and f"cmsreg download essex/signs-of-safety-assessment@{SOS_BEFORE}" in old
    )
    yanked = text(browser.get("/packs/evil/hostile-pack/versions/1.0.1"))
    assert "was yanked" in yanked
    listing = text(browser.get("/packs/evil/hostile-pack"))
    assert "Yanked</strong> Reason" in listing


def test_dependencies_are_listed_with_links(browser, wreg):
    body = text(browser.get("/packs/hertfordshire/family-safeguarding-cp-workflow"))
    assert "Dependencies" in body
    assert 'href="/packs/hertfordshire/family-safeguarding-forms"' in body


def test_a_text_file_is_shown_escaped_with_line_numbers(browser):
    body = text(browser.get("/packs/evil/hostile-pack/versions/1.0.0/files/config/evil.xml?line=1"))
    assert '<tr id="L1" class="cmsreg-code__line--highlight">' in body
    assert "&lt;config&gt;&lt;script&gt;" in body and "<config>" not in body


def test_a_word_file_is_shown_as_its_text(browser):
    path = "config/templates/icpc-invitation-letter.docx"
    body = text(
        browser.get(
            f"/packs/hertfordshire/family-safeguarding-cp-workflow/versions/latest/files/{path}"
        )
    )
    assert "text of a Word or Excel file" in body and "paragraph 1" in body


def test_a_missing_file_or_pack_is_a_404_page(browser):
    for path in (
        f"/packs/essex/signs-of-safety-assessment/versions/{SOS_BEFORE}/files/nope.txt",
        "/packs/essex/nope",
        "/packs/essex/signs-of-safety-assessment/versions/9.9.9",
        "/publishers/nope",
        "/no/such/page",
    ):
        page = browser.get(path)
        assert page.status_code == 404, path
        assert page.mimetype == "text/html" and "govuk-template" in text(page)


def test_compare_two_versions_shows_a_unified_diff(browser):
    chooser = text(browser.get("/packs/essex/signs-of-safety-assessment/compare"))
    assert f"<option selected>{SOS_BEFORE}</option>" in chooser
    body = text(
        browser.get(
            f"/packs/essex/signs-of-safety-assessment/compare?from={SOS_BEFORE}&to={SOS_AFTER}"
        )
    )
    assert f"Changes from {SOS_BEFORE} to {SOS_AFTER}" in body
    assert "config/lookups/SOS_ANSWERED_BY.csv" in body and "Added" in body
    assert 'class="cmsreg-diff__added"' in body and f"Changes in {SOS_AFTER}" in body
    assert (
        browser.get(
            f"/packs/essex/signs-of-safety-assessment/compare?from={SOS_BEFORE}&to=7.0.0"
        ).status_code
        == 404
    )


def test_publishers_and_a_publisher_page(browser):
    body = text(browser.get("/publishers"))
    assert "Essex County Council" in body and 'href="/publishers/essex"' in body
    essex = text(browser.get("/publishers/essex"))
    for fact in ("County council", "E10000012", "881", "signs-of-safety-assessment"):
        assert fact in essex, fact


def test_a_search_page_shared_by_visitors_follows_the_index_and_never_a_signed_in_page(
    browser, wreg, web
):
    """Anonymous visitors share a rendered page per answer; a change to the answer (a yank
    here) makes a new page at once, and a signed-in person always gets their own."""
    from registry.services import yanking
    from registry.services.accounts import Actor
    from tests.web.conftest import sign_in
    from tests.web.world import SAM

    path = "/search?q=signs+of+safety+assessment&publisher=essex"
    first = text(browser.get(path))
    assert f">{SOS_AFTER}<" in first or SOS_AFTER in first
    assert text(browser.get(path)) == first  # the shared page
    essex = Actor("essex-admin", frozenset({"publish"}), organisations=frozenset({"essex"}))
    yanking.yank(wreg, essex, *SOS, SOS_AFTER, "Wrong danger statement wording")
    after = text(browser.get(path))
    assert after != first and SOS_AFTER not in after and SOS_BEFORE in after
    signed_in = web.test_client()
    sign_in(signed_in, SAM)
    own = text(signed_in.get(path))
    assert "Sign out" in own and "Sign out" not in after
