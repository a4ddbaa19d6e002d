"""DATABASE_URL as hosting platforms write it reaches PostgreSQL through psycopg 3."""

from __future__ import annotations

import pytest

from registry.db import psycopg_url


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/cmsreg", "postgresql+psycopg://u:p@db/cmsreg"),
        (
            "postgresql://u@db:5433/cmsreg?sslmode=require",
            "postgresql+psycopg://u@db:5433/cmsreg?sslmode=require",
        ),
        ("postgresql+psycopg://u@db/cmsreg", "postgresql+psycopg://u@db/cmsreg"),
        ("sqlite:////srv/cmsreg/cmsreg.db", "sqlite:////srv/cmsreg/cmsreg.db"),
    ],
)
def test_postgresql_urls_use_psycopg(given: str, used: str) -> None:
    assert psycopg_url(given) == used
