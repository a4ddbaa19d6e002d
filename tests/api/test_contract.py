"""The error and header contract as clients see it: nosniff on every answer, and an OpenAPI
document that states the rule for reasons and notes (registry/services/reasons.py)."""

from __future__ import annotations

import pytest

from registry.services.reasons import MAX_TEXT

SUBMISSIONS = "/api/v1/submissions"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/healthz", {}, 200),
        ("GET", "/api/v1/vocabulary", {}, 200),
        ("GET", "/api/v1/openapi.json", {}, 200),
        ("GET", "/api/v1/nothing", {}, 404),
        ("DELETE", "/api/v1/vocabulary", {}, 405),
        ("POST", SUBMISSIONS, {}, 401),
        ("POST", f"{SUBMISSIONS}/1/reject", {"data": b"{", "content_type": "text/plain"}, 401),
        ("GET", "/api/v1/search?per_page=0", {}, 422),
        ("GET", "/api/docs", {}, 200),
    ],
)
def test_every_answer_says_nosniff(client, method, path, kwargs, status) -> None:
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_304_says_nosniff_too(client) -> None:
    etag = client.get("/api/v1/vocabulary").headers["ETag"]
    response = client.get("/api/v1/vocabulary", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def schemas(client) -> dict:
    """The components.schemas of the OpenAPI document."""
    spec = client.get("/api/v1/openapi.json").get_json()
    return spec["components"]["schemas"]


def assert_states_the_text_rule(field: dict) -> None:
    assert field["type"] == "string"
    assert field["maxLength"] == MAX_TEXT
    description = field["description"]
    for words in ("stripped", f"{MAX_TEXT:,} characters", "control characters", "422"):
        assert words in description, (words, description)


@pytest.mark.parametrize(("schema", "field"), [("ReasonArgs", "reason")])
def test_openapi_states_the_rule_for_required_reasons(schemas, schema, field) -> None:
    assert field in schemas[schema]["required"]
    prop = schemas[schema]["properties"][field]
    assert_states_the_text_rule(prop)
    assert prop["minLength"] == 1
    assert "must not be blank" in prop["description"]


@pytest.mark.parametrize(
    ("schema", "field"),
    [("OptionalReasonArgs", "reason"), ("NoteArgs", "note"), ("ApproveArgs", "note")],
)
def test_openapi_states_the_rule_for_optional_notes(schemas, schema, field) -> None:
    assert field not in schemas[schema].get("required", [])
    prop = schemas[schema]["properties"][field]
    assert_states_the_text_rule(prop)
    assert "minLength" not in prop
    assert "blank one counts as none" in prop["description"]


def test_openapi_says_how_to_send_an_upload(schemas) -> None:
    description = schemas["UploadArgs"]["properties"]["archive"]["description"]
    assert "multipart/form-data" in description and "400" in description
