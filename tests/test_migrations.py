"""Upgrading a database made by an earlier release keeps its rows and adds the new rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from registry.db import Database, alembic_config

NOW = "2026-11-30 10:00:00"


def _upgrade(db: Database, target: str) -> None:
    with db.engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def test_an_earlier_database_upgrades_with_its_rows(database_url):
    db = Database(database_url)
    try:
        _upgrade(db, "0001")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organisations (id, slug, name, type, created_at) "
                    "VALUES (1, 'kent', 'Kent County Council', 'county', :now)"
                ),
                {"now": NOW},
            )
            for sid, status, claim in (
                (1, "approved", "kent/forms@1.0.0+lcs.1"),
                (2, "pending", "kent/forms@2.0.0"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO submissions (id, publisher_id, name, version, supplier, "
                        "status, claim, submitted_by, submitted_at, manifest, report) VALUES "
                        "(:id, 1, 'forms', :v, 'system-c', :s, :c, 'jo', :now, '{}', '{}')"
                    ),
                    {"id": sid, "v": claim.split("@")[1], "s": status, "c": claim, "now": NOW},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO reviews (id, submission_id, moderator, decision, acknowledged, "
                    "created_at) VALUES (1, 1, 'alex', 'approve', '[]', :now)"
                ),
                {"now": NOW},
            )
        db.upgrade()  # what `cmsreg-server init` runs
        with db.engine.begin() as conn:
            claims = conn.execute(sa.text("SELECT id, claim FROM submissions ORDER BY id")).all()
            assert [tuple(r) for r in claims] == [(1, "kent/forms@1.0.0"), (2, "kent/forms@2.0.0")]
            assert conn.execute(sa.text("SELECT submission_id FROM reviews")).scalar() == 1
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE submissions SET status = 'maybe' WHERE id = 2"))
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE submissions SET status = 'approving' WHERE id = 2"))
            if db.is_sqlite:  # the rebuild left foreign keys as they were
                assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
    finally:
        db.dispose()
