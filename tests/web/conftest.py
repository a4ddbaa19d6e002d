"""Fixtures for the web pages: a built world (tests/web/world.py) copied for each test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web import world

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world, built once per test session."""
    instance = tmp_path_factory.mktemp("world") / "instance"
    world.build(instance)
    return instance


@pytest.fixture
def web(world_template: Path, tmp_path: Path) -> Iterator:
    """The app on a fresh copy of the world."""
    from registry import create_app

    instance = world.copy(world_template, tmp_path / "instance")
    app = create_app(
        {"INSTANCE": str(instance), "TESTING": True, "RATE_LIMITS": False, "SECRET_KEY": "t" * 32}
    )
    yield app
    app.extensions["cmsreg"].close()


@pytest.fixture
def wreg(web):
    """The registry behind the pages."""
    return web.extensions["cmsreg"]


@pytest.fixture
def browser(web):
    """A test client that keeps cookies, as a browser would."""
    return web.test_client()


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on the page at path."""
    page = client.get(path)
    found = CSRF_RE.search(page.get_data(as_text=True))
    assert found, f"no form with a CSRF token on {path} ({page.status_code})"
    return found.group(1)


def post(client, path: str, data: dict | None = None, form_page: str | None = None, **kwargs):
    """POST a form as the page would, with the session's CSRF token."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, form_page or path)
    return client.post(path, data=data, **kwargs)


def sign_in(client, person: world.Person, login: str | None = None):
    """Sign in through the sign-in form; returns the response (a redirect when it worked)."""
    return post(
        client, "/sign-in", {"login": login or person.username, "password": person.password}
    )


def text(response) -> str:
    """A response's body as text."""
    return response.get_data(as_text=True)
