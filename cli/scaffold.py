"""`cmsreg init`: scaffold a pack that validates, asking for each manifest field or taking flags."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import yaml

from cli import exits
from registry.packs.manifest import (
    EMAIL_RE,
    MANIFEST_NAME,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_PUBLISHER,
    SLUG_RE,
)
from registry.packs.versions import is_semver
from registry.packs.vocabulary import load_vocabularies

README_TEMPLATE = """# {title}

{summary}

## What is in this pack

- `config/` — the configuration artefacts (forms, workflow steps, reports, templates …).
- `docs/` — guidance for the people who install and use it.

## How to install it in {product}

1. Read the whole pack and compare it with your current configuration.
2. Import or recreate each artefact in `config/` in a test environment first.
3. Map local values (team names, lookup codes, form question numbers) — list them below.
4. Test with your practitioners before you move it to live.

## What to map locally

- Team and worker names, lookup codes, and any question numbers your system assigns.

## Personal data

This pack contains no personal data: use merge fields and test records only.
"""

CONFIG_README = """# config/

Put the configuration artefacts here: form templates (XML), workflow step definitions, SQL
reports, CSV reference data, DOCX letter templates. `cmsreg validate` scans every file for
personal data before it can be published.
"""

DOCS_GUIDE = """# Installation notes

Step-by-step notes for the systems team installing this pack, with screenshots (PNG or JPEG)
where they help.
"""


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")
    return slug or "my-pack"


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise click.BadParameter(
            "use lower-case letters, digits and hyphens, e.g. mash-triage-workflow"
        )
    return value


def _vocab_list(key: str, allow_empty: bool):
    """A converter that accepts comma-separated slugs or aliases of one vocabulary."""
    vocab = load_vocabularies()[key]

    def convert(value: str | list[str] | tuple[str, ...]) -> list[str]:
        items = value if isinstance(value, list | tuple) else [v for v in value.split(",")]
        out = []
        for raw in (i.strip() for i in items):
            if not raw:
                continue
            term = vocab.resolve(raw)
            if term is None:
                near = vocab.closest(raw)
                hint = f"; did you mean {', '.join(near)}?" if near else "."
                raise click.BadParameter(
                    f"'{raw}' is not a {vocab.title.lower()}{hint} Choose from: {', '.join(vocab.slugs)}"
                )
            out.append(term.slug)
        if not out and not allow_empty:
            raise click.BadParameter(f"give at least one of: {', '.join(vocab.slugs)}")
        return out

    return convert


def _one(key: str):
    many = _vocab_list(key, allow_empty=False)

    def convert(value: str) -> str:
        slugs = many(value)
        if len(slugs) != 1:
            raise click.BadParameter("give exactly one value")
        return slugs[0]

    return convert


def _ask(given, text: str, default, proc, interactive: bool):
    """Use a flag's value, or prompt (re-asking until valid), or take the default."""
    if given is not None:
        try:
            return proc(given)
        except click.BadParameter as exc:
            raise click.UsageError(f"{text}: {exc.message}") from None
    if interactive:
        return click.prompt(text, default=default, value_proc=proc)
    return proc(default)


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise click.BadParameter("write an address like csc-systems@example.gov.uk")
    return value


def _version(value: str) -> str:
    if not is_semver(value):
        raise click.BadParameter("use Semantic Versioning, e.g. 0.1.0")
    return value


def _summary(value: str) -> str:
    if not 1 <= len(value) <= 200:
        raise click.BadParameter("one sentence of at most 200 characters")
    return value


def _text(value: str) -> str:
    if not 1 <= len(value) <= 120:
        raise click.BadParameter("between 1 and 120 characters")
    return value


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Pack slug (default: the folder name).")
@click.option("--publisher", help="Your organisation's slug, e.g. hertfordshire.")
@click.option("--version", "version", help="First version (default 0.1.0).")
@click.option("--title", help="Short title.")
@click.option("--summary", help="One sentence, at most 200 characters.")
@click.option("--licence", help="SPDX licence id (default OGL-UK-3.0).")
@click.option("--supplier", help="CMS supplier, e.g. system-c or liquidlogic.")
@click.option("--product", help="Product(s), comma-separated, e.g. lcs.")
@click.option("--service-area", help="Service area(s), comma-separated.")
@click.option("--practice-model", help="Practice model(s), comma-separated (may be empty).")
@click.option(
    "--organisation-structure", help="Organisation structure(s), comma-separated (may be empty)."
)
@click.option("--kind", help="Artefact kind(s), comma-separated, e.g. workflow,form.")
@click.option("--keywords", help="Keywords, comma-separated.")
@click.option("--maintainer-name", help="Who looks after the pack (a team name is fine).")
@click.option("--maintainer-email", help="Their e-mail address (a team mailbox is best).")
@click.option("--no-input", is_flag=True, help="Do not prompt: use flags and defaults.")
def init(directory: Path, no_input: bool, **given: str | None) -> None:
    """Scaffold a new pack: cmspack.yaml, README.md, config/ and docs/."""
    if (directory / MANIFEST_NAME).exists():
        click.echo(
            f"{directory / MANIFEST_NAME} already exists; edit it, or init another folder.",
            err=True,
        )
        sys.exit(exits.USAGE)
    ask_ = not no_input
    folder_name = directory.resolve().name

    def ask(key, text, default, proc):
        return _ask(given.get(key), text, default, proc, ask_)

    m: dict = {}
    m["name"] = ask("name", "Pack name (slug)", _slugify(folder_name), _slug)
    m["publisher"] = ask(
        "publisher", "Publisher (your organisation's slug)", PLACEHOLDER_PUBLISHER, _slug
    )
    m["version"] = ask("version", "Version", "0.1.0", _version)
    m["title"] = ask("title", "Title", m["name"].replace("-", " ").capitalize(), _text)
    m["summary"] = ask("summary", "Summary (one sentence)", f"{m['title']}.", _summary)
    m["licence"] = ask("licence", "Licence (SPDX id)", "OGL-UK-3.0", _one("licence"))
    m["supplier"] = ask("supplier", "Supplier", "system-c", _one("supplier"))
    products = ask("product", "Product(s)", "lcs", _vocab_list("product", False))
    m["products"] = [{"id": p} for p in products]
    m["service_areas"] = ask(
        "service_area",
        "Service area(s)",
        "childrens-social-care",
        _vocab_list("service_area", False),
    )
    m["practice_models"] = ask(
        "practice_model", "Practice model(s), or empty", "", _vocab_list("practice_model", True)
    )
    m["organisation_structures"] = ask(
        "organisation_structure",
        "Organisation structure(s), or empty",
        "",
        _vocab_list("organisation_structure", True),
    )
    m["kinds"] = ask("kind", "Artefact kind(s)", "workflow", _vocab_list("kind", False))
    keywords = ask(
        "keywords",
        "Keywords (comma-separated), or empty",
        "",
        lambda v: [k.strip() for k in v.split(",") if k.strip()],
    )
    m["keywords"] = keywords[:20]
    m["maintainers"] = [
        {
            "name": ask("maintainer_name", "Maintainer name", "Systems Team", _text),
            "email": ask("maintainer_email", "Maintainer e-mail", PLACEHOLDER_EMAIL, _email),
        }
    ]
    _write(directory, m)
    click.echo(f"Created {directory}/: {MANIFEST_NAME}, README.md, config/, docs/.")
    click.echo(
        f"Next: add your artefacts to {directory}/config/, then `cmsreg validate {directory}`."
    )


def _write(directory: Path, manifest: dict) -> None:
    (directory / "config").mkdir(parents=True, exist_ok=True)
    (directory / "docs").mkdir(exist_ok=True)
    header = "# cmsreg pack manifest — every field is described in docs/pack-format.md\n"
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, default_flow_style=False)
    (directory / MANIFEST_NAME).write_text(header + body, encoding="utf-8")
    product = load_vocabularies()["product"].display_name(manifest["products"][0]["id"])
    readme = README_TEMPLATE.format(
        title=manifest["title"], summary=manifest["summary"], product=product
    )
    (directory / "README.md").write_text(readme, encoding="utf-8")
    (directory / "config" / "README.md").write_text(CONFIG_README, encoding="utf-8")
    (directory / "docs" / "installation.md").write_text(DOCS_GUIDE, encoding="utf-8")
