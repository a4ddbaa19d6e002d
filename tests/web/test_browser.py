"""End to end, in a real headless Chromium: what people do on the pages, and axe-core on each
kind of page. Skipped only where Debian's chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web import world
from tests.web.live import AXE, CHROMIUM, axe_violations, chromium, served
from tests.web.world import ALEX, MORGAN, SAM, SOS_AFTER, SOS_BEFORE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def site(world_template: Path, tmp_path_factory) -> Iterator[str]:
    """A server on a copy of the world, for this module's tests."""
    instance = world.copy(world_template, tmp_path_factory.mktemp("browser") / "instance")
    with served(instance) as base:
        yield base


@pytest.fixture(scope="module")
def engine() -> Iterator:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(engine, site):
    """A fresh browser context (no cookies) whose Content-Security-Policy reports are failures."""
    context = engine.new_context(base_url=site, accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def sign_in(page, person: world.Person) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username or e-mail address").fill(person.username)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")


def test_find_a_signs_of_safety_pack_for_mosaic_by_filters_read_and_download_it(page, tmp_path):
    page.goto("/")
    page.get_by_role("link", name="Search packs").first.click()
    page.get_by_role("group", name="Product").get_by_label(re.compile(r"\bMosaic \(")).check()
    page.get_by_role("button", name="Apply filters").click()
    # Counts now are of Mosaic packs. The most common practice models are listed first; when
    # Signs of Safety is not among them, "Show N more" lists every one, as a newcomer would ask.
    models = page.get_by_role("group", name="Practice model")
    sos = models.get_by_label(re.compile(r"\bSigns of Safety \("))
    if not sos.count():
        page.get_by_role("link", name=re.compile(r"Show \d+ more practice model values")).click()
        models = page.get_by_role("group", name="Practice model")
        sos = models.get_by_label(re.compile(r"\bSigns of Safety \("))
    sos.check()
    page.get_by_role("button", name="Apply filters").click()
    assert "product=mosaic" in page.url and "practice_model=signs-of-safety" in page.url
    assert page.get_by_role("heading", name=re.compile(r"^1 pack found")).is_visible()
    page.get_by_role("link", name="Signs of Safety assessment and safety plan for Mosaic").click()
    assert page.get_by_role("heading", name="README").is_visible()
    assert page.locator(".cmsreg-prose h1, .cmsreg-prose h2").first.is_visible()
    shown = page.locator("#sha-zip").inner_text().strip()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download zip").click()
    saved = tmp_path / "pack.zip"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == shown
    page.go_back()  # the back button returns to the filtered results
    page.wait_for_url(re.compile(r"practice_model=signs-of-safety"))


def test_compare_two_versions(page):
    page.goto("/packs/essex/signs-of-safety-assessment")
    page.get_by_role("button", name="Compare versions").click()
    assert page.get_by_role(
        "heading", name=f"Changes from {SOS_BEFORE} to {SOS_AFTER}"
    ).is_visible()
    assert page.locator(".cmsreg-diff__added").count() > 0


def test_a_contributor_signs_in_and_makes_a_token_that_cmsreg_login_accepts(page, site, tmp_path):
    sign_in(page, SAM)
    page.get_by_label("What is the token for?").fill("systems laptop")
    page.get_by_label("publish").check()
    page.get_by_role("button", name="Make token").click()
    token = page.locator("#token").inner_text().strip()
    assert token.startswith("cmsreg_")
    answer = httpx.get(f"{site}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    # The token pasted into `cmsreg login`, a process of its own, as the contributor would.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMSREG_")}
    env["CMSREG_CONFIG"] = str(tmp_path / "config.json")
    cmsreg = str(Path(sys.executable).with_name("cmsreg"))
    login = subprocess.run(
        [cmsreg, "login", "--registry", site, "--token-stdin"],
        input=token + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert login.returncode == 0, login.stderr
    assert f"as {SAM.username}" in login.stdout and token not in login.stdout
    who = subprocess.run([cmsreg, "whoami"], env=env, capture_output=True, text=True, timeout=60)
    assert who.returncode == 0 and who.stdout.startswith(SAM.username), who.stderr


def test_a_moderator_approves_a_pending_pack_after_acknowledging_its_warning(page):
    sign_in(page, MORGAN)
    page.get_by_role("link", name="Review").click()
    page.get_by_role("link", name="hertfordshire/mash-contact-triage 1.0.0").click()
    page.get_by_role("button", name="Approve and publish").click()
    assert page.get_by_text("Acknowledge every warning").first.is_visible()
    page.get_by_label(re.compile(r"\bF1: ")).check()
    page.get_by_role("button", name="Approve and publish").click()
    page.wait_for_url("**/review")
    assert page.get_by_text("is public").is_visible()
    page.goto("/packs/hertfordshire/mash-contact-triage")
    assert page.get_by_role("heading", name="MASH contact triage").is_visible()


AXE_PAGES = {
    "home": "/",
    "search": "/search?q=assessment&supplier=access-group",
    "search, nothing found": "/search?q=zzzqqqxxy",
    "pack": "/packs/essex/signs-of-safety-assessment",
    "file": f"/packs/essex/signs-of-safety-assessment/versions/{SOS_AFTER}/files/config/reports/sos-scaling-movement.sql?line=3",
    "compare": f"/packs/essex/signs-of-safety-assessment/compare?from={SOS_BEFORE}&to={SOS_AFTER}",
    "publishers": "/publishers",
    "publisher": "/publishers/essex",
    "sign in": "/sign-in",
    "not found": "/no/such/page",
}
SIGNED_IN_PAGES = {
    SAM: {
        "account": "/account",
        "my submissions": "/submissions",
        "upload": "/submissions/new",
        "invite": "/account/invite",
    },
    ALEX: {"review queue": "/review"},
}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")
def test_no_serious_or_critical_accessibility_violation_on_any_kind_of_page(engine, site):
    context = engine.new_context(base_url=site, bypass_csp=True)  # axe is injected inline
    tab = context.new_page()
    found = {}
    for name, path in AXE_PAGES.items():
        tab.goto(path)
        found[name] = axe_violations(tab)
    for person, pages in SIGNED_IN_PAGES.items():
        sign_in(tab, person)
        for name, path in pages.items():
            tab.goto(path)
            found[name] = axe_violations(tab)
        if person is ALEX:
            tab.goto("/review")
            tab.locator('a[href^="/review/"]').first.click()
            found["review"] = axe_violations(tab)
            tab.get_by_role("button", name="Reject").click()  # no reason given: an error
            found["review, with an error"] = axe_violations(tab)
            tab.locator("#findings, #files").first.wait_for()
            file_link = tab.locator('a[href*="/files/"]').first
            file_link.click()
            found["submission file"] = axe_violations(tab)
        tab.goto("/account")
        tab.get_by_role("button", name="Sign out", exact=True).first.click()
    context.close()
    print("axe-core violations by page:", {k: v for k, v in found.items() if v} or "none")
    serious = {
        name: [v for v in vs if v["impact"] in ("serious", "critical")]
        for name, vs in found.items()
    }
    assert not any(serious.values()), serious
