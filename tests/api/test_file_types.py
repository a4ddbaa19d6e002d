"""Every pack file is served as plain text or as a download, never as a type a browser renders.

Uploads refuse web pages and SVG, but a store can hold older versions, mirrors or repairs; the
file endpoint must be safe whatever a version holds. Here the approved version's git branch is
given such files through the content store itself before approval.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

PACK = "/api/v1/packs/hertfordshire/family-safeguarding-cp-workflow"
RENDERED = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "application/xslt+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}
# name -> how it must be served: "text" (text/plain) or "download" (octet-stream attachment)
SERVED = {
    "config/letter.xsl": "text",
    "config/letter.xslt": "text",
    "config/form.xml": "text",
    "config/lookups.csv": "text",
    "docs/install.md": "text",
    "config/graph.rdf": "download",
    "docs/logo.svg": "download",
    "docs/page.xht": "download",
    "docs/page.xhtml": "download",
    "docs/page.html": "download",
    "docs/page.HTM": "download",
    "docs/page.shtml": "download",
    "docs/saved.mht": "download",
    "docs/screen.png": "download",
    "docs/guide.pdf": "download",
    "config/Makefile": "download",
    "docs/caf\u00e9.png": "download",
    "docs/\u30b9\u30af\u30ea\u30fc\u30f3.png": "download",  # Japanese: not Latin-1
}
PAGE = b"<html><body><script>alert(document.domain)</script></body></html>\n"


@pytest.fixture
def served(app, client, accounts):
    """An approved version whose files include every name in SERVED, holding a web page each."""
    reg = app.extensions["cmsreg"]
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    files = pack_files(depends=...)
    r = upload(client, pub, files)
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    # The branch the moderator approves, with files an upload would refuse.
    held = files | dict.fromkeys(SERVED, PAGE)
    reg.store.submit(sid, "hertfordshire", "family-safeguarding-cp-workflow", held, replace=True)
    r = client.post(f"/api/v1/submissions/{sid}/approve", json={}, headers=auth(mod))
    assert r.status_code == 200, r.get_json()
    return client


@pytest.mark.parametrize("path", sorted(SERVED))
def test_file_is_served_as_text_or_a_download_never_a_page(served, path: str) -> None:
    response = served.get(f"{PACK}/versions/1.2.0/files/{path}")
    assert response.status_code == 200
    assert response.get_data() == PAGE
    assert response.mimetype not in RENDERED
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if SERVED[path] == "text":
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Disposition" not in response.headers
    else:
        assert response.mimetype == "application/octet-stream"
        disposition = response.headers["Content-Disposition"]
        name = path.rsplit("/", 1)[-1]
        assert disposition.startswith("attachment")
        assert name in disposition or f"UTF-8''{quote(name)}" in disposition
