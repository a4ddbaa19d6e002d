"""Template filters: names for vocabulary slugs, sizes, dates and ages as people write them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from markupsafe import Markup

from registry.services import catalogue

FACET_TITLES = {
    "supplier": "Supplier",
    "product": "Product",
    "practice_model": "Practice model",
    "service_area": "Service area",
    "organisation_structure": "Organisation structure",
    "kind": "Kind of artefact",
    "statutory_return": "Statutory return",
    "publisher": "Publisher",
    "licence": "Licence",
}


@cache
def _names() -> dict[str, dict[str, str]]:
    return {
        key: {t["slug"]: t["name"] for t in v["terms"]} for key, v in catalogue.vocabulary().items()
    }


def label(slug: Any, vocabulary: str) -> str:
    """The display name of a vocabulary slug (the slug itself when it is not in it)."""
    return _names().get(vocabulary, {}).get(slug, str(slug))


def filesize(size: int | None) -> str:
    """A size in bytes as "812 bytes", "4.2 KB" or "1.3 MB"."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size} byte{'s' if size != 1 else ''}"
    for unit in ("KB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            return f"{size:.1f} {unit}"
    return ""  # not reached


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def day(value: Any) -> str:
    """A date as GOV.UK writes it: 5 December 2026."""
    value = _aware(value)
    return f"{value.day} {value:%B %Y}" if value else ""


def moment(value: Any) -> str:
    """A time as GOV.UK writes it: 5 December 2026 at 10:14 (UTC)."""
    value = _aware(value)
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC" if value else ""


def age(value: Any) -> str:
    """How long ago: "4 days", "3 hours", "12 minutes", "less than a minute"."""
    value = _aware(value)
    if value is None:
        return ""
    seconds = max(0, int((datetime.now(UTC) - value).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


_NOT_MARK = re.compile(r"<(?!/?mark>)")


def highlight(fragment: str) -> Markup:
    """A search highlight: the engine's escaped text with <mark> around matches. Any other "<"
    is escaped again, so nothing but <mark> and </mark> can ever be a tag."""
    return Markup(_NOT_MARK.sub("&lt;", fragment))  # noqa: S704 (only <mark> survives)


def register(app: Any) -> None:
    """Make the filters available to every template."""
    app.jinja_env.filters.update(
        label=label, filesize=filesize, day=day, moment=moment, age=age, highlight=highlight
    )
    app.jinja_env.globals.update(FACET_TITLES=FACET_TITLES)
