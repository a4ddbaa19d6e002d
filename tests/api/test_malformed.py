"""Malformed requests never get a 5xx (SPEC §6): every error is the registry's JSON body with
`code`, `status` and a `message`, and a refused request stores nothing.

The last test sends a few hundred junk requests built by a seeded generator (the same ones on
every run) and then checks that git, database and index still agree.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from registry.services.reconcile import check
from tests.api.test_permissions import (
    PACK,
    SUBMISSIONS,
    World,
    assert_error,
    running_app,
    state,
)
from tests.conftest import DATABASES


@pytest.fixture(scope="module", params=DATABASES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with running_app(request.param, tmp_path_factory.mktemp("malformed")) as app:
        yield World(app)


def assert_refused(world: World, response, status: int) -> dict:
    """The JSON error with this status, and nothing stored since the world's last snapshot."""
    body = assert_error(response, status)
    assert state(world.reg) == world.before
    return body


@pytest.fixture
def snapshot(world: World) -> World:
    world.before = state(world.reg)
    return world


# --- Routes and methods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1",
        "/api/v1/",
        "/api/v1/nothing",
        "/api/v2/packs/hertfordshire/family-safeguarding-cp-workflow",
        "/api/v1/packs",
        "/api/v1/packs/hertfordshire",
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/",
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions",
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.1.0/files",
        "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow/versions/1.1.0/files/",
        "/api/v1/submissions/",
        "/api/v1/submissions/1/",
        "/api/v1/submissions/1/approve/",
        "/api/v1/submissions/1/delete",
        "/api/v1/publishers/",
        "/api/v1/%00",
        "/api/v1/" + "x" * 10_240,
    ],
)
def test_unknown_address_is_404_json(world: World, path: str) -> None:
    body = assert_error(world.client.get(path), 404)
    assert "/api/docs" in body["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", PACK, {"GET"}),
        ("POST", PACK, {"GET"}),
        ("PUT", f"{PACK}/versions/1.1.0", {"GET"}),
        ("PATCH", f"{PACK}/versions/1.1.0/download", {"GET"}),
        ("POST", f"{PACK}/versions/1.1.0/files/README.md", {"GET"}),
        ("GET", f"{PACK}/versions/1.1.0/yank", {"POST"}),
        ("DELETE", f"{PACK}/versions/1.1.0/unyank", {"POST"}),
        ("PUT", SUBMISSIONS, {"GET", "POST"}),
        ("DELETE", f"{SUBMISSIONS}/1", {"GET"}),
        ("GET", f"{SUBMISSIONS}/1/approve", {"POST"}),
        ("PUT", f"{SUBMISSIONS}/1/reject", {"POST"}),
        ("GET", f"{SUBMISSIONS}/1/withdraw", {"POST"}),
        ("POST", "/api/v1/publishers", {"GET"}),
        ("POST", "/api/v1/vocabulary", {"GET"}),
        ("DELETE", "/api/v1/search", {"GET"}),
        ("POST", "/api/v1/openapi.json", {"GET"}),
    ],
)
def test_wrong_method_is_405_json_with_allow(world: World, method, path, allowed) -> None:
    world.before = state(world.reg)
    response = world.client.open(path, method=method, headers=world.headers["moderator"])
    body = assert_refused(world, response, 405)
    assert "Allow" in body["message"]
    assert allowed <= set(response.headers["Allow"].replace(" ", "").split(","))


# --- JSON bodies of the actions ------------------------------------------------------------------

# (endpoint, who sends it); each body below is wrong for every one of them.
ENDPOINTS = {
    "approve": (lambda w: f"{SUBMISSIONS}/{w.pending_id}/approve", "moderator"),
    "reject": (lambda w: f"{SUBMISSIONS}/{w.pending_id}/reject", "moderator"),
    "withdraw": (lambda w: f"{SUBMISSIONS}/{w.pending_id}/withdraw", "publisher"),
    "yank": (lambda w: f"{PACK}/versions/{w.latest}/yank", "publisher"),
    "unyank": (lambda w: f"{PACK}/versions/{w.latest}/unyank", "publisher"),
}
JSON = "application/json"
BAD_BODIES = {
    # not JSON at all: 400
    "not-json": (b"{reason: x}", JSON, 400),
    "truncated": (b'{"reason": "x"', JSON, 400),
    "not-utf8": (b'{"reason": "\xff\xfe"}', JSON, 400),
    "utf-16": ('{"reason": "x"}'.encode("utf-16"), JSON, 400),
    "deeply-nested": (b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    "deeply-nested-value": (b'{"reason": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", JSON, 400),
    "number-too-long": (b'{"reason": ' + b"9" * 5000 + b"}", JSON, 400),
    "trailing-garbage": (b'{"reason": "x"} {"reason": "y"}', JSON, 400),
    # JSON, but not an object: 422
    "array": (b'["reason", "x"]', JSON, 422),
    "string": (b'"x"', JSON, 422),
    "number": (b"5", JSON, 422),
    "true": (b"true", JSON, 422),
    # an object with what no action takes: 422
    "unknown-field": (b'{"reasn": "typo"}', JSON, 422),
    "note-and-junk": (b'{"note": "x", "extra": {"a": [1, 2, 3]}}', JSON, 422),
    "huge": (json.dumps({"note": "x" * 3_000_000}).encode(), JSON, 422),
    "many-keys": (json.dumps({f"k{i}": i for i in range(20_000)}).encode(), JSON, 422),
    # not JSON by its type: 415
    "text": (b"reason=x", "text/plain", 415),
    "form": (b"reason=x&note=y", "application/x-www-form-urlencoded", 415),
    "xml": (b"<reason>x</reason>", "application/xml", 415),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_body_is_refused_and_stores_nothing(snapshot: World, endpoint: str, case: str) -> None:
    world = snapshot
    path, who = ENDPOINTS[endpoint]
    data, content_type, status = BAD_BODIES[case]
    response = world.client.post(
        path(world), data=data, content_type=content_type, headers=world.headers[who]
    )
    body = assert_refused(world, response, status)
    if status == 422:
        assert body["errors"]["json"], body
    if status == 415:
        assert "application/json" in body["message"]


# Bodies that are JSON objects of the right shape but carry wrong values, per endpoint.
WRONG_VALUES = [
    ("approve", {"acknowledge": "F1"}, "acknowledge"),
    ("approve", {"acknowledge": [1]}, "acknowledge"),
    ("approve", {"acknowledge": [None]}, "acknowledge"),
    ("approve", {"acknowledge": ["F" + "1" * 20]}, "acknowledge"),
    ("approve", {"acknowledge": ["F1"] * 2001}, "acknowledge"),
    ("approve", {"note": 5}, "note"),
    ("approve", {"note": ["x"]}, "note"),
    ("approve", {"note": "x" * 2001}, "note"),
    ("approve", {"note": "ok\x00then"}, "note"),
    ("approve", {"note": "bell\x07"}, "note"),
    ("reject", {}, "reason"),
    ("reject", {"reason": 5}, "reason"),
    ("reject", {"reason": None}, "reason"),
    ("reject", {"reason": ""}, "reason"),
    ("reject", {"reason": "   \n\t"}, "reason"),
    ("reject", {"reason": True}, "reason"),
    ("reject", {"reason": ["x"]}, "reason"),
    ("reject", {"reason": {"text": "x"}}, "reason"),
    ("reject", {"reason": "x" * 2001}, "reason"),
    ("reject", {"reason": "NUL\x00inside"}, "reason"),
    ("reject", {"reason": "escape\x1b[2J"}, "reason"),
    ("withdraw", {"note": 5}, "note"),
    ("withdraw", {"note": "NUL\x00inside"}, "note"),
    ("yank", {}, "reason"),
    ("yank", {"reason": 5}, "reason"),
    ("yank", {"reason": ""}, "reason"),
    ("yank", {"reason": "   "}, "reason"),
    ("yank", {"reason": "x" * 2001}, "reason"),
    ("yank", {"reason": "NUL\x00inside"}, "reason"),
    ("unyank", {"reason": 5}, "reason"),
    ("unyank", {"reason": "NUL\x00inside"}, "reason"),
]


@pytest.mark.parametrize(
    ("endpoint", "value", "field"),
    WRONG_VALUES,
    ids=[f"{e}-{json.dumps(v)[:40]}" for e, v, _ in WRONG_VALUES],
)
def test_wrong_value_is_422_naming_the_field(snapshot: World, endpoint, value, field) -> None:
    world = snapshot
    path, who = ENDPOINTS[endpoint]
    response = world.client.post(path(world), json=value, headers=world.headers[who])
    body = assert_refused(world, response, 422)
    assert field in json.dumps(body.get("errors", {})), body


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "escaped",
    ['"\\ud800"', '"a\\udfffb"', '"\\udc80\\ud800"'],
    ids=["high", "low", "reversed-pair"],
)
def test_unpaired_surrogate_in_text_is_422(snapshot: World, endpoint: str, escaped: str) -> None:
    """JSON may escape half a UTF-16 pair; such text cannot be stored anywhere."""
    world = snapshot
    path, who = ENDPOINTS[endpoint]
    field = "reason" if endpoint in ("reject", "yank", "unyank") else "note"
    data = f'{{"{field}": {escaped}}}'.encode()
    response = world.client.post(
        path(world), data=data, content_type=JSON, headers=world.headers[who]
    )
    body = assert_refused(world, response, 422)
    assert field in body["errors"]["json"]


def test_text_with_newlines_tabs_and_any_language_is_accepted(world: World) -> None:
    sid = world.pending()
    reason = "Step 3 \u2013 wrong team.\n\tSee CP2 \U0001f600, Cymraeg: \u0175\u0177"
    response = world.client.post(
        f"{SUBMISSIONS}/{sid}/reject", json={"reason": reason}, headers=world.headers["moderator"]
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reason"] == reason


def test_approve_without_a_body_is_an_approval_without_a_note(world: World) -> None:
    """An empty body is no body; only a non-empty body must be JSON."""
    sid = world.pending()
    response = world.client.post(f"{SUBMISSIONS}/{sid}/approve", headers=world.headers["moderator"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reviews"][0]["note"] is None


# --- Path parameters ------------------------------------------------------------------------------

JUNK_SEGMENTS = [
    "..",
    "%2e%2e",
    ".",
    "%00",
    "a%00b",
    "%FF",
    "%25",
    "%20",
    "-",
    "A",
    "Hertfordshire",
    "\u00e9",
    "\u0127\u0119rts",
    "%E2%80%AE",
    "'; DROP TABLE packs; --",
    "*",
    "x" * 10_240,
]


def _segment(value: str) -> str:
    return value if "%" in value else quote(value, safe="")


@pytest.mark.parametrize("junk", JUNK_SEGMENTS, ids=lambda j: repr(j[:20]))
def test_junk_publisher_name_or_version_is_404(world: World, junk: str) -> None:
    j = _segment(junk)
    paths = [
        f"/api/v1/packs/{j}/family-safeguarding-cp-workflow",
        f"/api/v1/packs/hertfordshire/{j}",
        f"/api/v1/packs/{j}/{j}/versions/1.1.0",
        f"{PACK}/versions/{j}",
        f"{PACK}/versions/{j}/download",
        f"{PACK}/versions/{j}/files/README.md",
        f"/api/v1/packs/{j}/family-safeguarding-cp-workflow/diff?from=1.0.0&to=1.1.0",
        f"/api/v1/publishers/{j}",
    ]
    for path in paths:
        body = assert_error(world.client.get(path), 404)
        assert len(body["message"]) < 400, "the message must not echo 10 KB back"


@pytest.mark.parametrize("junk", JUNK_SEGMENTS, ids=lambda j: repr(j[:20]))
def test_junk_version_to_yank_is_404(snapshot: World, junk: str) -> None:
    world = snapshot
    for action in ("yank", "unyank"):
        response = world.client.post(
            f"{PACK}/versions/{_segment(junk)}/{action}",
            json={"reason": "Wrong team"},
            headers=world.headers["publisher"],
        )
        assert_refused(world, response, 404)


@pytest.mark.parametrize("action", ["yank", "unyank"])
def test_latest_cannot_be_yanked_or_unyanked(snapshot: World, action: str) -> None:
    world = snapshot
    response = world.client.post(
        f"{PACK}/versions/latest/{action}",
        json={"reason": "Wrong team"},
        headers=world.headers["publisher"],
    )
    body = assert_refused(world, response, 400)
    assert "exact version" in body["message"]


# --- File paths -------------------------------------------------------------------------------------

FILE_PATHS = [
    "../../etc/passwd",
    "../cmspack.yaml",
    "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "config/../README.md",
    "./README.md",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "C:/Windows/win.ini",
    "config\\steps.xml",
    "config%5Csteps.xml",
    "README.md%00",
    "README.md%00.png",
    "%00",
    "config",
    "config/",
    "README.md/",
    "config//steps.xml",
    "README.MD",
    "readme.md",
    ".git/config",
    "-README.md",
    "~",
    "%FF%FE",
    "\u202eREADME.md",
    "a/" * 3000 + "b",
]


@pytest.mark.parametrize("path", FILE_PATHS, ids=lambda p: repr(p[:30]))
def test_file_path_outside_or_not_a_file_is_404(world: World, path: str) -> None:
    for version in (world.latest, "latest"):
        response = world.client.get(f"{PACK}/versions/{version}/files/{path}")
        body = assert_error(response, 404)
        assert "Family Safeguarding" not in response.get_data(as_text=True)
        assert len(body["message"]) < 400


def test_a_real_file_is_served_as_plain_text(world: World) -> None:
    response = world.client.get(f"{PACK}/versions/{world.latest}/files/config/steps.xml")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


# --- Query strings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        ("", 422, {"from", "to"}),
        ("from=1.0.0", 422, {"to"}),
        ("to=1.1.0", 422, {"from"}),
        ("from=&to=", 422, {"from", "to"}),
        ("from=1.0.0&to=" + "9" * 65, 422, {"to"}),
        ("from=one&to=two", 404, set()),
        ("from=1.0.0&to=9.9.9", 404, set()),
        ("from=1.0.0%00&to=1.1.0", 404, set()),
        ("from=..&to=1.1.0", 404, set()),
        ("from=-1&to=1.1.0", 404, set()),
        ("from=1.0.0&to=1.1.0-", 404, set()),
        ("from=1.0&to=1.1", 404, set()),
        ("from=%FF&to=1.1.0", 404, set()),
    ],
)
def test_diff_with_missing_or_bad_versions(world: World, query, status, fields) -> None:
    body = assert_error(world.client.get(f"{PACK}/diff?{query}"), status)
    if fields:
        assert set(body["errors"]["query"]) == fields


def test_diff_of_a_version_with_itself_is_empty(world: World) -> None:
    response = world.client.get(f"{PACK}/diff?from=1.1.0&to=1.1.0&from=1.0.0&junk=1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["added"] == body["removed"] == body["changed"] == []


@pytest.mark.parametrize(
    "fmt", ["rar", "", "ZIP", "tar", "tgz", "zip%00", "../zip", "tar.gz.exe", "x" * 5000]
)
def test_download_in_an_unknown_format_is_422(world: World, fmt: str) -> None:
    response = world.client.get(f"{PACK}/versions/{world.latest}/download?format={fmt}")
    body = assert_error(response, 422)
    assert "format" in body["errors"]["query"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{SUBMISSIONS}?per_page=-1&page=abc&sort=%00", 422),
        (f"{SUBMISSIONS}?per_page=101", 422),
        (f"{SUBMISSIONS}?page=99999999999999999999", 422),
        (f"{SUBMISSIONS}?sort=oldest&supplier=system-c&page=2&per_page=5", 200),
        (f"{SUBMISSIONS}?unknown=%00", 200),
        (f"{SUBMISSIONS}?status=bogus", 422),
        (f"{SUBMISSIONS}?status=", 422),
        (f"{SUBMISSIONS}?status=pending&status=%00", 200),
        (f"{PACK}?per_page=-1&page=99999999999999999999", 200),
        (f"{PACK}/versions/1.1.0?x=%00", 200),
        ("/api/v1/publishers?page=-5", 200),
        ("/api/v1/search?per_page=-1", 422),
        ("/api/v1/search?per_page=0", 422),
        ("/api/v1/search?per_page=99999999999999999999", 422),
        ("/api/v1/search?page=abc", 422),
        ("/api/v1/search?page=1e3", 422),
        ("/api/v1/search?sort=%00", 422),
        ("/api/v1/search?q=" + "(" * 400, 200),
        ("/api/v1/search?q=%00%FF%E2%80%AE", 200),
        ("/api/v1/search?q=" + "x" * 501, 422),
        ("/api/v1/search?supplier=" + "&supplier=".join(["x"] * 21), 422),
        ("/api/v1/search?q=AND%20OR%20NOT%20*%20?%20~%20^%20[%20{%20", 200),
    ],
)
def test_junk_query_parameters(world: World, path: str, status: int) -> None:
    response = world.client.get(path, headers=world.headers["moderator"])
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "sid",
    [
        "abc",
        "-1",
        "0",
        "1.5",
        "0x10",
        "1e3",
        "%201",
        "1%00",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999",
        "9" * 400,
    ],
)
def test_submission_id_that_is_not_one_is_404(snapshot: World, sid: str) -> None:
    world = snapshot
    mod, pub = world.headers["moderator"], world.headers["publisher"]
    requests = [
        ("GET", f"{SUBMISSIONS}/{sid}", mod, None),
        ("POST", f"{SUBMISSIONS}/{sid}/approve", mod, {}),
        ("POST", f"{SUBMISSIONS}/{sid}/reject", mod, {"reason": "Wrong"}),
        ("POST", f"{SUBMISSIONS}/{sid}/withdraw", pub, {}),
    ]
    for method, path, headers, body in requests:
        response = world.client.open(path, method=method, json=body, headers=headers)
        assert_refused(world, response, 404)


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "garbage"},
        {"If-None-Match": "*"},
        {"If-None-Match": '"' + "a" * 5000 + '"'},
        {"If-None-Match": 'W/"x", "y", ,,,'},
        {"If-Modified-Since": "yesterday"},
        {"Range": "bytes=999999999-"},
        {"Range": "bytes=-1,-2,-3"},
        {"Range": "lines=1-2"},
        {"Accept": "application/xml"},
        {"Accept-Encoding": "br;q=nan"},
        {"Content-Type": "application/json"},
        {"Content-Length": "5"},
    ],
    ids=lambda h: repr(h)[:40],
)
def test_junk_headers_on_reads(world: World, headers: dict) -> None:
    for path in (
        PACK,
        f"{PACK}/versions/{world.latest}",
        f"{PACK}/versions/{world.latest}/download",
        f"{PACK}/versions/{world.latest}/files/README.md",
        f"{PACK}/diff?from={world.first}&to={world.latest}",
    ):
        response = world.client.get(path, headers=headers)
        assert response.status_code in (200, 206, 304, 412, 416), (path, response.status_code)
        if response.status_code >= 400:
            assert_error(response, response.status_code)


# --- Junk, generated -----------------------------------------------------------------------------

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
TEMPLATES = [
    "/api/v1/packs/{p}/{n}",
    "/api/v1/packs/{p}/{n}/versions/{v}",
    "/api/v1/packs/{p}/{n}/versions/{v}/download",
    "/api/v1/packs/{p}/{n}/versions/{v}/files/{f}",
    "/api/v1/packs/{p}/{n}/diff",
    "/api/v1/packs/{p}/{n}/versions/{v}/yank",
    "/api/v1/packs/{p}/{n}/versions/{v}/unyank",
    "/api/v1/submissions",
    "/api/v1/submissions/{i}",
    "/api/v1/submissions/{i}/approve",
    "/api/v1/submissions/{i}/reject",
    "/api/v1/submissions/{i}/withdraw",
    "/api/v1/publishers",
    "/api/v1/publishers/{p}",
    "/api/v1/vocabulary",
    "/api/v1/search",
    "/api/v1/suggest",
]
WEIRD_TEXT = [
    "",
    " ",
    "..",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "%",
    "%%",
    "%00",
    "%ZZ",
    "'",
    '"',
    "<script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "null",
    "-1",
    "1e309",
    "9" * 30,
    "latest",
    "1.0.0",
    "1.1.0",
    "hertfordshire",
    "family-safeguarding-cp-workflow",
    "README.md",
    "config/steps.xml",
]


class Junk:
    """Requests made from a seed: the same junk on every run, so a failure can be replayed."""

    def __init__(self, seed: int, world: World):
        self.rng = random.Random(seed)
        self.world = world

    def text(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.5:
            return rng.choice(WEIRD_TEXT)
        if kind < 0.8:
            alphabet = string.ascii_letters + string.digits + "-._~/\\:;,=+*?#[]@!$&'()"
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        # any code point a client can encode (a URL or header cannot carry half a surrogate pair)
        points = (rng.randint(1, 0x2FFFF) for _ in range(rng.randint(1, 12)))
        return "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF) or "x"

    def segment(self) -> str:
        return quote(self.text(), safe="") or "x"

    def value(self, depth: int = 0):
        rng = self.rng
        kind = rng.randrange(8 if depth < 3 else 5)
        return [
            lambda: self.text(),
            lambda: rng.randint(-(2**70), 2**70),
            lambda: rng.random() * 10 ** rng.randint(-5, 300),
            lambda: rng.choice([None, True, False]),
            lambda: "x" * rng.choice([0, 1, 2000, 2001, 70_000]),
            lambda: [self.value(depth + 1) for _ in range(rng.randint(0, 4))],
            lambda: {self.text(): self.value(depth + 1) for _ in range(rng.randint(0, 3))},
            lambda: {"acknowledge": [self.text() for _ in range(rng.randint(0, 3))]},
        ][kind]()

    def body(self) -> dict:
        rng = self.rng
        kind = rng.random()
        if kind < 0.5:
            keys = rng.sample(["note", "reason", "acknowledge", self.text()], rng.randint(0, 3))
            return {"json": {k: self.value() for k in keys}}
        if kind < 0.7:
            return {"data": json.dumps(self.value()), "content_type": JSON}
        if kind < 0.85:
            raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
            ctype = rng.choice([JSON, "text/plain", "multipart/form-data", "application/zip", ""])
            return {"data": raw, "content_type": ctype}
        return {}

    def headers(self) -> dict:
        rng = self.rng
        choice = rng.random()
        if choice < 0.35:
            return dict(self.world.headers[rng.choice(list(self.world.headers))])
        if choice < 0.5:
            return {"Authorization": "Bearer " + self.text().encode("utf-8").decode("latin-1")}
        if choice < 0.6:
            return {"If-None-Match": self.text().encode("utf-8").decode("latin-1")}
        return {}

    def request(self) -> tuple[str, str, dict]:
        rng = self.rng
        template = rng.choice(TEMPLATES)
        path = template.format(
            p=rng.choice(["hertfordshire", self.segment()]),
            n=rng.choice(["family-safeguarding-cp-workflow", self.segment()]),
            v=rng.choice(["1.0.0", "1.1.0", "latest", self.segment()]),
            f=rng.choice(["README.md", "config/steps.xml", self.segment(), "a/../b"]),
            i=rng.choice(
                [str(self.world.pending_id), "0", "-3", str(rng.randint(0, 2**80)), self.segment()]
            ),
        )
        params = {self.text(): self.text() for _ in range(rng.randint(0, 3))}
        if rng.random() < 0.5:
            params |= rng.choice(
                [
                    {"from": self.text(), "to": self.text()},
                    {"format": self.text()},
                    {"per_page": self.text(), "page": self.text()},
                    {"status": self.text()},
                    {"q": self.text()},
                ]
            )
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
        method = rng.choice(METHODS)
        kwargs = {"headers": self.headers()}
        if method in ("POST", "PUT", "PATCH"):
            kwargs |= self.body()
        return method, f"{path}?{query}" if query else path, kwargs


@pytest.mark.parametrize("seed", range(4))
def test_generated_junk_never_gets_a_5xx(world: World, seed: int) -> None:
    junk = Junk(seed, world)
    for _ in range(150):
        method, path, kwargs = junk.request()
        response = world.client.open(path, method=method, **kwargs)
        where = f"{method} {path[:200]} {kwargs!r:.300}"
        assert response.status_code < 500, where
        if response.status_code >= 400 and method != "HEAD":
            assert_error(response, response.status_code)
    assert check(world.reg) == [], "git, database and index disagree after the junk"
