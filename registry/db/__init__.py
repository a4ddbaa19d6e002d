"""The database: engine and sessions, SQLite tuned for several processes, Alembic upgrades."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Database:
    """One engine and session factory for a database URL."""

    def __init__(self, url: str):
        url = psycopg_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict = {"future": True}
        if self.is_sqlite:
            # Each gunicorn worker opens its own connections; wait on locks rather than fail.
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        from alembic import command  # imported here: every command would pay 0.3 s for it

        with self.engine.connect() as connection:
            if self.is_sqlite:
                # A batch migration rebuilds a table by copy, drop and rename; SQLite would
                # check (and refuse) the references to it in between. Outside a transaction.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    cfg = alembic_config()
                    cfg.attributes["connection"] = connection
                    command.upgrade(cfg, "head")
            finally:
                if self.is_sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def alembic_config():  # -> alembic.config.Config
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one process writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def psycopg_url(url: str) -> str:
    """Point a PostgreSQL URL at psycopg 3, the driver the registry ships with.

    `postgres://` and `postgresql://` (as hosting platforms write DATABASE_URL) would otherwise
    make SQLAlchemy look for psycopg2, which is not installed.
    """
    from sqlalchemy.engine import make_url

    if not url.startswith(("postgres://", "postgresql://")):
        return url
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
