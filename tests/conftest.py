"""Fixtures: a real instance per test (SQLite, bare git, Whoosh), PostgreSQL where configured.

Every API test runs on SQLite; when CMSREG_TEST_DATABASE_URL is set (CI sets it to the local
PostgreSQL) it runs on PostgreSQL too, each test in a schema of its own that is dropped after.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.packs.build import build_zip

PG_URL = os.environ.get("CMSREG_TEST_DATABASE_URL", "")
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file in folder, or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'cmsreg.db'}"
        return
    if not PG_URL:
        pytest.skip("CMSREG_TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test (SQLite, and PostgreSQL where configured)."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An empty instance folder."""
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def app(instance: Path, database_url: str):
    """The app on a fresh instance, initialised."""
    from registry import create_app

    # Rate limits off, as an operator's bulk import would have them: tests upload many packs;
    # tests/api/test_rate_limits.py turns them on.
    app = create_app(
        {
            "INSTANCE": str(instance),
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATE_LIMITS": False,
        }
    )
    reg = app.extensions["cmsreg"]
    reg.init()
    yield app
    reg.close()


@pytest.fixture
def reg(app):
    """The app's registry (services, store, database, search)."""
    return app.extensions["cmsreg"]


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


class Accounts:
    """Make organisations, users and tokens the way the operator commands do."""

    def __init__(self, reg):
        self.reg = reg

    def org(self, slug: str, type_: str = "county", name: str | None = None) -> None:
        from sqlalchemy import select

        from registry.db.models import Organisation
        from registry.services import accounts

        with self.reg.db.session() as session:
            exists = session.scalar(select(Organisation).where(Organisation.slug == slug))
        if exists is None:
            accounts.create_org(self.reg, slug, name or slug.title(), type_)

    def token(
        self,
        username: str,
        org: str | None = None,
        scopes: tuple[str, ...] = ("publish",),
        moderates: tuple[str, ...] = (),
    ) -> str:
        from registry.services import accounts

        if org:
            self.org(org)
        accounts.create_user(self.reg, username, org)
        for supplier in moderates:
            accounts.set_moderator(self.reg, username, supplier)
        return accounts.create_token(self.reg, username, list(scopes))


@pytest.fixture
def accounts(reg) -> Accounts:
    """Helper to create organisations, users and tokens."""
    return Accounts(reg)


def auth(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def upload(client, token: str, files: dict[str, bytes], filename: str = "pack.zip"):
    """POST a pack (built as a zip) to /api/v1/submissions."""
    data = build_zip(files).data
    return client.post(
        "/api/v1/submissions",
        data={"archive": (io.BytesIO(data), filename)},
        headers=auth(token),
        content_type="multipart/form-data",
    )


def upload_bytes(client, token: str, data: bytes, filename: str):
    """POST raw archive bytes to /api/v1/submissions."""
    return client.post(
        "/api/v1/submissions",
        data={"archive": (io.BytesIO(data), filename)},
        headers=auth(token),
        content_type="multipart/form-data",
    )
