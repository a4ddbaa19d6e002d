"""Downloads come from the archive cache by the checksum recorded at approval, else from git."""

from __future__ import annotations

import hashlib

from tests.api.test_flow import publish_and_approve
from tests.packs.manifests import pack_files

URL = "/api/v1/packs/hertfordshire/{name}/versions/{version}/download?format={fmt}"


def test_a_removed_cached_archive_is_rebuilt_byte_for_byte(app, client, accounts) -> None:
    reg = app.extensions["cmsreg"]
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    files = pack_files(depends=...)
    publish_and_approve(client, pub, mod, files)
    url = URL.format(name=_name(files), version="latest", fmt="zip")
    first = client.get(url)
    assert first.status_code == 200
    exact = first.headers["Content-Disposition"].rsplit("-", 1)[1].removesuffix(".zip")
    assert client.get(URL.format(name=_name(files), version=exact, fmt="zip")).data == first.data
    sha = hashlib.sha256(first.data).hexdigest()
    assert first.headers["ETag"] == f'"{sha}"'
    cached = reg.store.cached_archive(sha, "zip")
    assert cached is not None and cached.path.read_bytes() == first.data
    cached.path.unlink()  # an operator cleared the cache
    again = client.get(url)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["Digest"] == first.headers["Digest"]
    assert reg.store.cached_archive(sha, "zip") is not None  # built again, same name


def _name(files: dict[str, bytes]) -> str:
    for line in files["cmspack.yaml"].decode().splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no name in the manifest")
