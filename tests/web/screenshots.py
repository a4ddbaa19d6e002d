"""Screenshots of the main pages for docs/screenshots/ (`make screenshots`).

    .venv/bin/python -m tests.web.screenshots docs/screenshots

Builds the test world (tests/web/world.py) in a temporary folder, serves it, and saves each
page as a PNG, 1280 pixels wide, in headless Chromium.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from tests.web import world
from tests.web.live import chromium, served
from tests.web.world import SOS_AFTER, SOS_BEFORE

PUBLIC = [
    ("home", "/"),
    ("search", "/search?q=assessment&product=mosaic&practice_model=signs-of-safety"),
    ("pack", "/packs/essex/signs-of-safety-assessment"),
    (
        "file",
        f"/packs/essex/signs-of-safety-assessment/versions/{SOS_AFTER}/files/config/reports/sos-scaling-movement.sql?line=4#L4",
    ),
    (
        "compare",
        f"/packs/essex/signs-of-safety-assessment/compare?from={SOS_BEFORE}&to={SOS_AFTER}",
    ),
    ("publisher", "/publishers/essex"),
]


def sign_in(page, person: world.Person) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username or e-mail address").fill(person.username)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")


def main(argv: list[str]) -> int:
    """Save the screenshots to the folder given (default docs/screenshots)."""
    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cmsreg-shots-") as tmp:
        instance = Path(tmp) / "instance"
        world.build(instance)
        with served(instance) as base, chromium() as browser:
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            page = context.new_page()

            def shot(name: str, full: bool = True) -> None:
                page.screenshot(path=str(out / f"{name}.png"), full_page=full)
                print(f"saved {out / name}.png")

            for name, path in PUBLIC:
                page.goto(path)
                shot(name, full=name not in ("file",))
            page.goto("/sign-in")
            shot("sign-in")
            sign_in(page, world.SAM)
            page.get_by_label("What is the token for?").fill("systems team laptop")
            page.get_by_label("publish").check()
            page.get_by_role("button", name="Make token").click()
            shot("token")
            page.goto("/submissions")
            shot("my-submissions")
            page.goto("/account")
            page.get_by_role("button", name="Sign out", exact=True).first.click()
            sign_in(page, world.MORGAN)
            page.goto("/review")
            shot("review-queue")
            page.get_by_role("link", name=re.compile("mash-contact-triage")).click()
            shot("review")
            context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
