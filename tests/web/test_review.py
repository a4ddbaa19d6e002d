"""Contributors and moderators: uploads, withdrawals, the queue, review, approve and reject."""

from __future__ import annotations

import io
import re

from registry.packs.build import build_zip
from tests.packs.manifests import pack_files
from tests.web.conftest import post, sign_in, text
from tests.web.world import ALEX, JO, MORGAN, SAM, pending_pack


def upload(browser, files: dict[str, bytes], filename="pack.zip"):
    data = {"archive": (io.BytesIO(build_zip(files).data), filename)}
    return post(browser, "/submissions/new", data, content_type="multipart/form-data")


def pending_id(browser, who) -> int:
    sign_in(browser, who)
    return int(re.search(r'href="/review/(\d+)"', text(browser.get("/review"))).group(1))


def test_upload_runs_the_api_checks_and_lists_every_problem(browser):
    sign_in(browser, SAM)
    bad = pack_files(version="one", title="", supplier="nobody", depends=...)
    bad["config/ids.csv"] = b"nhs\n943 476 5919\n"
    page = upload(browser, bad)
    body = text(page)
    assert page.status_code == 422
    assert "Every problem found" in body
    assert body.count("<li>") >= 3 and "version" in body and "supplier" in body


def test_upload_then_my_submissions_then_withdraw(browser):
    sign_in(browser, SAM)
    done = upload(browser, pending_pack(name="lado-referrals"))
    assert done.status_code == 302
    detail = text(browser.get(done.headers["Location"]))
    assert "Pending" in detail and "lado-referrals" in detail and "config/contacts.csv" in detail
    mine = text(browser.get("/submissions"))
    assert "hertfordshire/lado-referrals 1.0.0" in mine and "1 warning" in mine
    sub_id = done.headers["Location"].rsplit("/", 1)[1]
    gone = post(
        browser,
        f"/submissions/{sub_id}/withdraw",
        {"note": "wrong file"},
        form_page=f"/submissions/{sub_id}",
    )
    assert gone.status_code == 302
    assert "Withdrawn" in text(browser.get(f"/submissions/{sub_id}"))


def test_a_duplicate_upload_is_refused_with_the_reason(browser):
    sign_in(browser, SAM)
    page = upload(browser, pending_pack())
    assert page.status_code == 409 and "already waiting for review" in text(page)


def test_moderator_queue_is_only_their_suppliers_oldest_first(browser):
    sign_in(browser, MORGAN)
    queue = text(browser.get("/review"))
    assert "hertfordshire/mash-contact-triage 1.0.0" in queue
    assert "essex/cp-conference-letters" not in queue
    # Another supplier's filter shows nothing more; its submission's page is a 404.
    assert "cp-conference-letters" not in text(browser.get("/review?supplier=access-group"))


def test_a_moderator_cannot_open_another_suppliers_submission(web):
    alex, morgan = web.test_client(), web.test_client()
    essex_id = pending_id(alex, ALEX)
    sign_in(morgan, MORGAN)
    assert morgan.get(f"/review/{essex_id}").status_code == 404
    assert morgan.get(f"/review/{essex_id}/files/README.md").status_code == 404
    assert (
        post(
            morgan, f"/review/{essex_id}/reject", {"reason": "no"}, form_page="/account"
        ).status_code
        == 404
    )
    assert morgan.get(f"/submissions/{essex_id}").status_code == 404


def test_people_without_the_role_get_403(web):
    jo = web.test_client()
    sign_in(jo, JO)
    assert jo.get("/review").status_code == 403
    morgan = web.test_client()
    sign_in(morgan, MORGAN)  # a member of a user group, which publishes
    assert morgan.get("/submissions").status_code == 200
    anonymous = web.test_client()
    assert anonymous.get("/review").status_code == 302


def test_review_page_shows_checks_findings_manifest_readme_files_and_diff(browser):
    sub_id = pending_id(browser, MORGAN)
    body = text(browser.get(f"/review/{sub_id}"))
    assert "Possible personal data" in body and "Warning" in body
    link = re.search(rf'href="(/review/{sub_id}/files/config/contacts.csv\?line=(\d+)#L\d+)"', body)
    assert link, "a finding links to its file and line"
    file_page = text(browser.get(link.group(1).replace("&amp;", "&")))
    assert f'<tr id="L{link.group(2)}" class="cmsreg-code__line--highlight">' in file_page
    assert "Manifest" in body and "README" in body and "Family Safeguarding workflow" in body
    assert "A new pack: every file is new" in body
    assert 'name="acknowledge"' in body and "Approve and publish" in body and "Reject" in body


def test_approve_needs_every_warning_acknowledged(browser, wreg):
    sub_id = pending_id(browser, MORGAN)
    refused = post(
        browser, f"/review/{sub_id}/approve", {"note": "ok"}, form_page=f"/review/{sub_id}"
    )
    assert refused.status_code == 422 and "Acknowledge every warning" in text(refused)
    done = post(
        browser,
        f"/review/{sub_id}/approve",
        {"acknowledge": ["F1"], "note": "checked"},
        form_page=f"/review/{sub_id}",
    )
    assert done.status_code == 302
    assert "is public" in text(browser.get("/review"))
    assert browser.get("/packs/hertfordshire/mash-contact-triage").status_code == 200


def test_reject_needs_a_reason_which_the_publisher_sees(web):
    morgan = web.test_client()
    sub_id = pending_id(morgan, MORGAN)
    blank = post(
        morgan, f"/review/{sub_id}/reject", {"reason": "  "}, form_page=f"/review/{sub_id}"
    )
    assert blank.status_code == 422
    done = post(
        morgan,
        f"/review/{sub_id}/reject",
        {"reason": "Use the county's MASH name"},
        form_page=f"/review/{sub_id}",
    )
    assert done.status_code == 302
    sam = web.test_client()
    sign_in(sam, SAM)
    mine = text(sam.get("/submissions"))
    assert "Rejected" in mine and "Use the county&#39;s MASH name" in mine


def test_no_one_approves_their_own_organisations_submission(web, wreg):
    from registry.services import accounts

    accounts.set_moderator(wreg, SAM.username, "system-c")  # Sam now moderates System C too
    sam = web.test_client()
    sub_id = pending_id(sam, SAM)
    page = text(sam.get(f"/review/{sub_id}"))
    assert "your own organisation’s submission" in page
    refused = post(
        sam, f"/review/{sub_id}/approve", {"acknowledge": ["F1"]}, form_page=f"/review/{sub_id}"
    )
    assert (
        refused.status_code == 422
        and "No one approves a submission of their own organisation" in text(refused)
    )
