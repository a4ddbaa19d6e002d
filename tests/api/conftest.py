"""Fixtures of the API tests that wait on the search index."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import auth, upload
from tests.packs.manifests import pack_files

SEARCH = "/api/v1/search?q=family+safeguarding"


@dataclass(frozen=True)
class Waiting:
    """A submission waiting for review, and the tokens of its publisher and moderator."""

    publisher: str
    moderator: str
    id: int

    def approve(self, client):
        """The moderator approves it."""
        return client.post(
            f"/api/v1/submissions/{self.id}/approve", json={}, headers=auth(self.moderator)
        )


@pytest.fixture
def waiting(client, accounts) -> Waiting:
    """Hertfordshire's pack 1.2.0 for System C, waiting for the LCS user group's moderator."""
    pub = accounts.token("herts-admin", "hertfordshire", ("publish",))
    mod = accounts.token("lcs-moderator", "lcs-user-group", ("moderate",), moderates=("system-c",))
    r = upload(client, pub, pack_files(depends=...))
    assert r.status_code == 201, r.get_json()
    return Waiting(pub, mod, r.get_json()["id"])


def found(client) -> list[str]:
    """The names of the packs a search for family safeguarding finds."""
    return [r["name"] for r in client.get(SEARCH).get_json()["results"]]
