"""Seeded packs are marked as examples, so no one mistakes them for a council's own work."""

from __future__ import annotations

from registry.services.seed import seed


def test_seeded_organisations_and_their_packs_are_examples(client, reg, accounts):
    # An operator makes a real organisation, with people, before seeding: it is not an example.
    accounts.token("herts-publisher", "hertfordshire")
    seed(reg, log=lambda _line: None)

    essex = client.get("/api/v1/publishers/essex").get_json()
    assert essex["example"] is True
    pack = client.get("/api/v1/packs/essex/signs-of-safety-assessment").get_json()
    assert pack["example"] is True
    version = client.get("/api/v1/packs/essex/signs-of-safety-assessment/versions/latest")
    assert version.get_json()["example"] is True
    assert client.get("/api/v1/publishers/hertfordshire").get_json()["example"] is False
    listed = {o["slug"]: o["example"] for o in client.get("/api/v1/publishers").get_json()}
    assert listed["essex"] is True and listed["hertfordshire"] is False

    page = client.get("/packs/essex/signs-of-safety-assessment").get_data(as_text=True)
    assert "This is an example pack" in page
    herts = client.get("/packs/hertfordshire/family-safeguarding-cp-workflow")
    assert "This is an example pack" not in herts.get_data(as_text=True)


def test_seeding_yanks_what_yanks_yaml_names_once(client, reg):
    """A newcomer finds a yanked version, with its reason, beside the current one."""
    seed(reg, log=lambda _line: None)
    seed(reg, log=lambda _line: None)  # again: nothing changes, nothing fails
    pack = client.get("/api/v1/packs/eclipse-user-group/dols-lps-workflow").get_json()
    versions = {v["version"]: v for v in pack["versions"]}
    assert versions["3.1.1"]["yanked"] is True
    assert "LPS implementation is postponed" in versions["3.1.1"]["yank_reason"]
    assert versions["4.0.0"]["yanked"] is False and pack["latest"] == "4.0.0"
