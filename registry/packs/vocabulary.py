"""The controlled vocabularies (SPEC §3), loaded from the one data file beside this module."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

DATA_FILE = "vocabularies.yaml"


@dataclass(frozen=True)
class Deprecation:
    """Why a term should no longer be used in new packs, and what to use instead."""

    reason: str
    successor: str | None = None


@dataclass(frozen=True)
class Term:
    """One allowed value: its slug, display name, description and accepted aliases.

    A deprecated term stays valid (packs that use it still validate and stay published), but a
    manifest using it gets a notice naming the successor, so new packs stop using it.
    """

    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    deprecated: Deprecation | None = None


@dataclass(frozen=True)
class Vocabulary:
    """A named list of terms, with lookup by slug or alias."""

    key: str
    title: str
    description: str
    terms: tuple[Term, ...]
    _index: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            self._index[term.slug.lower()] = term
            for alias in term.aliases:
                self._index.setdefault(alias.lower(), term)

    @property
    def slugs(self) -> list[str]:
        """Every allowed slug, in the data file's order."""
        return [t.slug for t in self.terms]

    def resolve(self, value: str) -> Term | None:
        """Return the term a slug or alias names (case-insensitively), or None."""
        return self._index.get(value.strip().lower())

    def closest(self, value: str, n: int = 3) -> list[str]:
        """Return up to n allowed slugs nearest in spelling to value."""
        candidates = list(self._index)
        near = difflib.get_close_matches(value.strip().lower(), candidates, n=n * 2, cutoff=0.5)
        slugs: list[str] = []
        for c in near:
            slug = self._index[c].slug
            if slug not in slugs:
                slugs.append(slug)
        return slugs[:n]

    def display_name(self, slug: str) -> str:
        """Return the display name of a slug, or the slug itself when unknown."""
        term = self.resolve(slug)
        return term.name if term else slug


@cache
def load_vocabularies() -> dict[str, Vocabulary]:
    """Load every vocabulary from the packaged data file (once per process)."""
    text = resources.files("registry.packs").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    vocabularies = {}
    for key, body in data.items():
        terms = tuple(
            Term(
                slug=e["slug"],
                name=e["name"],
                description=e.get("description", ""),
                aliases=tuple(e.get("aliases") or ()),
                deprecated=_deprecation(key, e),
            )
            for e in body["entries"]
        )
        vocabulary = Vocabulary(key, body["title"], body.get("description", ""), terms)
        for term in terms:
            successor = term.deprecated.successor if term.deprecated else None
            if successor is not None and successor not in vocabulary.slugs:
                raise ValueError(
                    f"{DATA_FILE}: {key}/{term.slug} names unknown successor {successor!r}"
                )
        vocabularies[key] = vocabulary
    return vocabularies


def _deprecation(key: str, entry: dict) -> Deprecation | None:
    """Read an entry's `deprecated:` mapping (reason required, successor optional)."""
    value = entry.get("deprecated")
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("reason"):
        raise ValueError(f"{DATA_FILE}: {key}/{entry['slug']}: deprecated needs a reason")
    return Deprecation(reason=value["reason"], successor=value.get("successor"))


def vocabulary_as_dict() -> dict[str, dict]:
    """Return every vocabulary as JSON-ready data (what GET /vocabulary serves)."""
    return {
        key: {
            "title": v.title,
            "description": v.description,
            "terms": [
                {
                    "slug": t.slug,
                    "name": t.name,
                    "description": t.description,
                    "aliases": list(t.aliases),
                    **(
                        {
                            "deprecated": {
                                "reason": t.deprecated.reason,
                                "successor": t.deprecated.successor,
                            }
                        }
                        if t.deprecated
                        else {}
                    ),
                }
                for t in v.terms
            ],
        }
        for key, v in load_vocabularies().items()
    }


def render_markdown() -> str:
    """Render docs/vocabularies.md from the data file."""
    out = [
        "# Vocabularies",
        "",
        "<!-- Generated from registry/packs/vocabularies.yaml by"
        " `python -m registry.packs.vocabulary > docs/vocabularies.md`. Do not edit by hand. -->",
        "",
        "A manifest may use a slug or one of its aliases; the registry stores the slug and says"
        " so in a notice. A value outside a vocabulary is an error naming the closest allowed"
        " values. To add a value, propose a change to `registry/packs/vocabularies.yaml`.",
        "",
        "A **deprecated** value is still valid — packs that use it validate and stay published —"
        " but a manifest that uses it gets a notice naming what to use instead, so new packs"
        " stop using it. Deprecated values are marked below with the reason and the successor.",
        "",
    ]
    for key, v in load_vocabularies().items():
        out += [f"## {v.title} (`{key}`)", "", v.description, ""]
        out += ["| slug | name | description | aliases |", "| --- | --- | --- | --- |"]
        for t in v.terms:
            aliases = ", ".join(f"`{a}`" for a in t.aliases)
            description = t.description
            if t.deprecated:
                instead = f" Use `{t.deprecated.successor}`." if t.deprecated.successor else ""
                description = (
                    f"**Deprecated:** {t.deprecated.reason}{instead} {description}".rstrip()
                )
            out.append(f"| `{t.slug}` | {t.name} | {description} | {aliases} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
