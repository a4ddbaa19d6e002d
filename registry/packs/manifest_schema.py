"""The manifest's fields (SPEC §2): limits, vocabulary fields and the marshmallow schemas.

registry/packs/manifest.py reads cmspack.yaml with them and adds the checks a schema cannot make.
"""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, fields, validate

MANIFEST_NAME = "cmspack.yaml"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")  # \Z: no trailing newline
SLUG_HELP = (
    "lower-case letters, digits and hyphens, 1 to 64 characters, not starting or ending with -"
)
# A pragmatic address check: one @, a dotted domain, no spaces. Deliverability is not our concern.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z"
)
MAX_TITLE = 120  # fits a search result line
MAX_SUMMARY = 200  # SPEC §2
MAX_KEYWORDS = 20  # SPEC §2
MAX_KEYWORD = 60
MAX_LIST = 30  # tags of one vocabulary; more is a pack that should be split
MAX_DEPENDS = 50
MAX_YEARS = 30  # collection years of one statutory return
# What `cmsreg init` writes when it is not told: a manifest that still carries them was never
# finished, and would publish under someone else's name or send questions to nobody.
PLACEHOLDER_PUBLISHER = "my-council"
PLACEHOLDER_EMAIL = "systems-team@example.gov.uk"
# A collection year as the DfE and NHS England write it: 2025-26, the second year following the first.
YEAR_RE = re.compile(r"^(\d{4})-(\d{2})\Z")

# Which manifest field each vocabulary checks; list fields hold several values.
VOCAB_FIELDS = {
    "supplier": "supplier",
    "licence": "licence",
    "service_areas": "service_area",
    "practice_models": "practice_model",
    "organisation_structures": "organisation_structure",
    "kinds": "kind",
}

FIELD_HELP = {
    "name": "the pack's slug, e.g. family-safeguarding-cp-workflow",
    "publisher": "your organisation's slug, e.g. hertfordshire",
    "version": "a Semantic Versioning version, e.g. 1.0.0",
    "title": "a short title, e.g. Family Safeguarding child protection workflow",
    "summary": f"one sentence of at most {MAX_SUMMARY} characters",
    "licence": "an SPDX licence identifier, usually OGL-UK-3.0",
    "supplier": "the CMS supplier, e.g. system-c",
    "products": "a list of products, each with `id:` (e.g. lcs) and optional `versions:`",
    "service_areas": "a list such as [childrens-social-care]",
    "kinds": "the kinds of artefact in the pack, e.g. [workflow, form]",
    "maintainers": "a list of who looks after the pack, each with `name:` and `email:`",
    "statutory_returns": "a list of returns, each with `id:` (e.g. ssda903) and `years:` (e.g. [2025-26])",
}


def _required(name: str) -> dict[str, str]:
    return {"required": f"Add `{name}:` — {FIELD_HELP[name]}.", "null": f"`{name}` is empty."}


def _text(name: str, maximum: int, required: bool = True) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(
            min=1,
            max=maximum,
            error=f"Keep `{name}` between 1 and {maximum} characters.",
        ),
        error_messages={
            **(_required(name) if required else {}),
            "invalid": f"`{name}` must be text.",
        },
    )


def _slug(name: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Regexp(
            SLUG_RE, error=f"`{name}` '{{input}}' is not a slug: use {SLUG_HELP}."
        ),
        error_messages={
            **_required(name),
            "invalid": f"`{name}` must be text: {FIELD_HELP[name]}.",
        },
    )


def _tag_list(name: str, required: bool) -> fields.List:
    return fields.List(
        fields.String(error_messages={"invalid": f"Each entry of `{name}` must be text."}),
        required=required,
        validate=validate.Length(
            min=1 if required else 0,
            max=MAX_LIST,
            error=f"`{name}` needs between {1 if required else 0} and {MAX_LIST} entries.",
        ),
        error_messages={
            "required": f"Add `{name}:` — " + FIELD_HELP.get(name, "a list of values") + ".",
            "invalid": f"`{name}` must be a list, e.g. {name}: [value-one, value-two].",
            "null": f"`{name}` is empty; give a list.",
        },
    )


class ProductSchema(Schema):
    """One product the pack was built for, with the releases it was tested on."""

    error_messages = {  # noqa: RUF012 (marshmallow reads this class attribute)
        "type": "Each product is a mapping with `id:` (e.g. lcs) and optional `versions:`."
    }

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        error_messages={
            "required": "Add `id:` — the product slug, e.g. lcs.",
            "invalid": "`id` must be text.",
        },
    )
    versions = fields.String(
        load_default=None,
        validate=validate.Length(max=100, error="Keep `versions` under 100 characters."),
        error_messages={"invalid": '`versions` must be text, e.g. ">=2023.1" (quote it).'},
    )


class StatutoryReturnSchema(Schema):
    """A statutory return the pack feeds or checks, and the collection years it is right for."""

    error_messages = {  # noqa: RUF012 (marshmallow reads this class attribute)
        "type": "Each statutory return is a mapping with `id:` (e.g. ssda903) and `years:` (e.g. [2025-26])."
    }

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        error_messages={
            "required": "Add `id:` — the return's slug, e.g. ssda903 or cin-census.",
            "invalid": "`id` must be text, e.g. ssda903.",
        },
    )
    years = fields.List(
        fields.String(
            error_messages={"invalid": 'Each year must be text like "2025-26" (quote it).'}
        ),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_YEARS, error=f"List between 1 and {MAX_YEARS} collection years."
        ),
        error_messages={
            "required": "Add `years:` — the collection years the pack is right for, e.g. [2025-26, 2026-27].",
            "invalid": "`years` must be a list of collection years, e.g. [2025-26, 2026-27].",
            "null": "`years` is empty; list the collection years, e.g. [2025-26].",
        },
    )


class MaintainerSchema(Schema):
    """Who looks after the pack."""

    error_messages = {  # noqa: RUF012 (marshmallow reads this class attribute)
        "type": "Each maintainer is a mapping with `name:` and `email:`."
    }

    class Meta:
        unknown = RAISE

    name = fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=100, error="Keep a maintainer's `name` between 1 and 100 characters."
        ),
        error_messages={
            "required": "Add the maintainer's `name:` (a team name is fine).",
            "invalid": "`name` must be text.",
        },
    )
    email = fields.String(
        required=True,
        validate=[
            validate.Length(max=254, error="An e-mail address is at most 254 characters."),
            validate.Regexp(
                EMAIL_RE,
                error="'{input}' is not an e-mail address; write it like csc-systems@example.gov.uk.",
            ),
        ],
        error_messages={
            "required": "Add the maintainer's `email:` (a team mailbox is best).",
            "invalid": "`email` must be text.",
        },
    )


class ManifestSchema(Schema):
    """Every field of cmspack.yaml (SPEC §2); unknown keys are errors."""

    class Meta:
        unknown = RAISE
        ordered = True

    name = _slug("name")
    publisher = _slug("publisher")
    version = fields.String(
        required=True,
        error_messages={
            **_required("version"),
            "invalid": "`version` must be text like 1.2.0; quote it if YAML reads it as a number.",
        },
    )
    title = _text("title", MAX_TITLE)
    summary = _text("summary", MAX_SUMMARY)
    licence = fields.String(
        required=True,
        error_messages={
            **_required("licence"),
            "invalid": "`licence` must be text, e.g. OGL-UK-3.0.",
        },
    )
    supplier = fields.String(
        required=True,
        error_messages={
            **_required("supplier"),
            "invalid": "`supplier` must be text, e.g. system-c.",
        },
    )
    products = fields.List(
        fields.Nested(
            ProductSchema,
            error_messages={
                "type": "Each product is a mapping with `id:` (e.g. lcs) and optional `versions:`."
            },
        ),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_LIST, error=f"List between 1 and {MAX_LIST} products."
        ),
        error_messages={
            **_required("products"),
            "invalid": "`products` must be a list of entries like `- id: lcs`.",
        },
    )
    service_areas = _tag_list("service_areas", required=True)
    practice_models = _tag_list("practice_models", required=False)
    organisation_structures = _tag_list("organisation_structures", required=False)
    kinds = _tag_list("kinds", required=True)
    keywords = fields.List(
        fields.String(
            validate=validate.Length(
                min=1,
                max=MAX_KEYWORD,
                error=f"Keep each keyword between 1 and {MAX_KEYWORD} characters.",
            ),
            error_messages={"invalid": "Each keyword must be text."},
        ),
        load_default=list,
        validate=validate.Length(
            max=MAX_KEYWORDS,
            error=f"Use at most {MAX_KEYWORDS} keywords.",
        ),
        error_messages={
            "invalid": "`keywords` must be a list, e.g. [child protection, section 47]."
        },
    )
    maintainers = fields.List(
        fields.Nested(
            MaintainerSchema,
            error_messages={"type": "Each maintainer is a mapping with `name:` and `email:`."},
        ),
        required=True,
        validate=validate.Length(min=1, max=20, error="List between 1 and 20 maintainers."),
        error_messages={
            **_required("maintainers"),
            "invalid": "`maintainers` must be a list of entries with `name:` and `email:`.",
        },
    )
    statutory_returns = fields.List(
        fields.Nested(
            StatutoryReturnSchema,
            error_messages={
                "type": "Each statutory return is a mapping with `id:` (e.g. ssda903) and `years:` (e.g. [2025-26])."
            },
        ),
        validate=validate.Length(max=MAX_LIST, error=f"List at most {MAX_LIST} statutory returns."),
        error_messages={
            "invalid": "`statutory_returns` must be a list of entries like `- id: ssda903` with `years: [2025-26]`.",
        },
    )
    depends = fields.Dict(
        keys=fields.String(error_messages={"invalid": "A dependency is named publisher/name."}),
        values=fields.String(
            error_messages={
                "invalid": 'A dependency\'s version range must be text, e.g. ">=1.0.0,<2" (quote it).'
            }
        ),
        load_default=dict,
        error_messages={
            "invalid": '`depends` maps publisher/name to a version range, e.g. `hertfordshire/family-safeguarding-forms: ">=1.0.0,<2"`.'
        },
    )


ALLOWED_KEYS = list(ManifestSchema().fields)
NESTED_KEYS = {
    "products": list(ProductSchema().fields),
    "maintainers": list(MaintainerSchema().fields),
    "statutory_returns": list(StatutoryReturnSchema().fields),
}
