"""Fixtures: a real instance per test (SQLite, bare git, Whoosh), PostgreSQL where configured.

Every API test runs on SQLite; when CMSREG_TEST_DATABASE_URL is set (CI sets it to the local
PostgreSQL) it runs on PostgreSQL too, each test in a schema of its own that is dropped after.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.packs.build import build_zip

PG_URL = os.environ.get("CMSREG_TEST_DATABASE_URL", "")
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests marked slow first (in their order), then the rest.

    `make test` has each worker take the next test when it is free (--maxschedchunk=1): a
    minute-long test started last leaves the other workers idle until it ends, one started
    first is done while they work. (xdist's default hands each worker a run of consecutive
    tests at the start, which would give one worker every slow test.)
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the newest migration, made once per test process.

    An app's SQLite database starts as a copy of it: running every migration again costs each
    test about a quarter of a second. Migrating from nothing stays tested where a test asks for
    the database itself (database_url: test_migrations, the commands, the system tests).
    """
    from registry.db import Database

    path = tmp_path_factory.mktemp("migrated") / "cmsreg.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()  # closing the last connection checkpoints the WAL: the file holds it all
    return path


@pytest.fixture(scope="session")
def migrated_postgresql() -> str | None:
    """The SQL that makes a PostgreSQL schema at the newest migration, made once per test
    process by migrating a schema and dumping it (pg_dump); None without PostgreSQL or pg_dump.

    Running every migration again costs each PostgreSQL test about half a second.
    """
    dump = shutil.which("pg_dump")
    if not PG_URL or dump is None:
        return None
    from registry.db import Database

    url = sa.engine.make_url(PG_URL)
    with fresh_database("postgresql", Path()) as schema_url:
        db = Database(schema_url)
        db.upgrade()
        db.dispose()
        schema = schema_url.rsplit("%3D", 1)[1]
        args = ["--schema-only", "--no-owner", "--no-privileges", f"--schema={schema}"]
        args += [f"--host={url.host}", f"--port={url.port or 5432}", f"--username={url.username}"]
        done = subprocess.run(
            [dump, *args, url.database],
            capture_output=True,
            text=True,
            check=True,
        )
        version = db_version(schema_url)
    # psql's meta-commands (\restrict) and session settings are left out; names carry the
    # schema, replaced by each test's own.
    lines = [
        line
        for line in done.stdout.splitlines()
        if not line.startswith(("\\", "SET ", "SELECT pg_catalog.set_config", "--"))
        and line != f"CREATE SCHEMA {schema};"
    ]
    # The revision comes from the migrated schema itself, not from outside.
    row = f"INSERT INTO {schema}.alembic_version (version_num) VALUES ('{version}');"  # noqa: S608
    lines.append(row)
    return "\n".join(lines).replace(f"{schema}.", "{schema}.")


def db_version(url: str) -> str:
    """The Alembic revision a database is at."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def app(instance: Path, database_url: str, migrated_sqlite: Path, migrated_postgresql: str | None):
    """The app on a fresh instance, initialised."""
    from registry import create_app

    if database_url.startswith("sqlite:///"):
        shutil.copyfile(migrated_sqlite, database_url.removeprefix("sqlite:///"))
    elif migrated_postgresql is not None:
        schema = database_url.rsplit("%3D", 1)[1]
        engine = sa.create_engine(PG_URL)
        try:
            with engine.connect() as connection:
                cursor = connection.connection.cursor()
                cursor.execute(migrated_postgresql.replace("{schema}", schema))
                connection.connection.commit()
        finally:
            engine.dispose()
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
