"""Marshmallow schemas of the API: request arguments and response bodies (they feed OpenAPI)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.formparser import FormDataParser

from registry.errors import BadRequest
from registry.services.decisions import SubmissionStatus
from registry.services.reasons import MAX_TEXT
from registry.services.submissions import MAX_PER_PAGE as QUEUE_MAX
from registry.services.submissions import SORTS as QUEUE_SORTS

UPLOAD_SHAPE = (
    "Send the pack as multipart/form-data with one file field `archive` (.zip or .tar.gz), "
    "e.g. `curl -F archive=@pack.zip`."
)


class Parser(FlaskParser):
    """webargs' parser, refusing every unreadable JSON body as such (never with a 5xx).

    A body of another type is 415 rather than silently ignored; JSON nested deeper than Python
    can follow, or with a number too long to convert, is malformed (400) like any invalid JSON.
    An upload that is not multipart/form-data, or is broken multipart, is malformed (400) too.
    """

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            if req.get_data(cache=True):
                raise UnsupportedMediaType(
                    "Send the body as a JSON object with Content-Type: application/json."
                )
            return core.missing
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            self._handle_invalid_json_error(exc, req)

    def load_files(self, req, schema) -> Any:
        """The multipart files; a body of another type, or broken multipart, is malformed (400).

        Only an upload reads files, and it does so before anything else parses the form.
        """
        if req.mimetype != "multipart/form-data":
            raise BadRequest(UPLOAD_SHAPE)
        req.form_data_parser_class = UploadFormParser
        return super().load_files(req, schema)


class UploadFormParser(FormDataParser):
    """werkzeug's form parser, refusing broken multipart instead of reading it as empty."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **(kwargs | {"silent": False}))

    def parse(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().parse(*args, **kwargs)
        except ValueError:  # werkzeug's word for multipart it cannot parse
            raise BadRequest(UPLOAD_SHAPE) from None


PARSER = Parser()


def storable_text(text: str) -> None:
    """Refuse text the database or git cannot keep: control characters, half surrogate pairs."""
    for ch in text:
        if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValidationError(
                f"Remove the character U+{ord(ch):04X}: only printable text, tabs and new lines."
            )


class Strict(Schema):
    """Request arguments: unknown ones are errors, so typos are caught."""


class Loose(Schema):
    """Query arguments tolerate extras (caches and proxies add some)."""

    class Meta:
        unknown = EXCLUDE


class UploadArgs(Strict):
    archive = Upload(
        required=True,
        metadata={
            "description": "The pack as .zip or .tar.gz: the one file field of a "
            "multipart/form-data body (a body of another type, or broken multipart, answers 400)"
        },
    )


# The rule of registry/services/reasons.py, stated where schema-driven clients read it.
_TEXT_RULE = (
    f"At most {MAX_TEXT:,} characters, counted before stripping; control characters other than "
    "tab, carriage return and new line, and unpaired surrogates, are refused. Breaking the rule "
    "answers 422."
)
REASON_RULE = f"Required and must not be blank; surrounding white space is stripped. {_TEXT_RULE}"
NOTE_RULE = (
    f"Optional; surrounding white space is stripped, and a blank one counts as none. {_TEXT_RULE}"
)


def text_field(required: bool, what: str) -> fields.String:
    """A reason or note: required or optional, at most MAX_TEXT characters, storable text."""
    if required:
        presence: dict[str, Any] = {"required": True}
        length = validate.Length(min=1, max=MAX_TEXT)
    else:
        presence, length = {"load_default": None}, validate.Length(max=MAX_TEXT)
    rule = REASON_RULE if required else NOTE_RULE
    return fields.String(
        **presence, validate=[length, storable_text], metadata={"description": f"{what}. {rule}"}
    )


class NoteArgs(Strict):
    note = text_field(False, "A note for the record")


class ApproveArgs(NoteArgs):
    acknowledge = fields.List(
        fields.String(validate=validate.Length(max=16)),
        load_default=list,
        validate=validate.Length(max=2000),
        metadata={"description": "Ids of the warnings (F1, F2 …) the moderator has checked"},
    )


class ReasonArgs(Strict):
    reason = text_field(True, "Why, for the publisher and the audit log")


class OptionalReasonArgs(Strict):
    reason = text_field(False, "Why, for the audit log")


class DownloadArgs(Loose):
    format = fields.String(load_default="zip", validate=validate.OneOf(["zip", "tar.gz"]))


class DiffArgs(Loose):
    from_ = fields.String(required=True, data_key="from", validate=validate.Length(min=1, max=64))
    to = fields.String(required=True, validate=validate.Length(min=1, max=64))


class SubmissionListArgs(Loose):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in SubmissionStatus]),
    )
    supplier = fields.String(
        load_default=None,
        validate=[validate.Length(max=64), storable_text],
        metadata={"description": "Only submissions for this supplier (e.g. system-c)"},
    )
    publisher = fields.String(
        load_default=None,
        validate=[validate.Length(max=64), storable_text],
        metadata={"description": "Only this publisher's submissions (e.g. barnsley)"},
    )
    name = fields.String(
        load_default=None,
        validate=[validate.Length(max=64), storable_text],
        metadata={"description": "Only submissions of the pack with this name"},
    )
    version = fields.String(
        load_default=None,
        validate=[validate.Length(max=128), storable_text],
        metadata={"description": "Only submissions of this version (e.g. 1.0.0)"},
    )
    sort = fields.String(
        load_default="newest",
        validate=validate.OneOf(QUEUE_SORTS),
        metadata={"description": "newest first (default), or oldest first: review order"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=QUEUE_MAX))


class Problem(Schema):
    where = fields.String()
    message = fields.String()
    line = fields.Integer(allow_none=True)
    code = fields.String()


class FindingOut(Schema):
    id = fields.String()
    file = fields.String()
    line = fields.Integer()
    rule = fields.String()
    severity = fields.String()
    masked = fields.String()
    message = fields.String()


class FlagOut(Schema):
    id = fields.String()
    severity = fields.String()
    message = fields.String()


class Checks(Schema):
    files = fields.Integer()
    size = fields.Integer()
    notices = fields.List(fields.Dict())
    findings = fields.List(fields.Nested(FindingOut))
    flags = fields.List(
        fields.Nested(FlagOut),
        metadata={
            "description": "Warnings about the submission as a whole, such as `supplier-change` (the pack moves to another user group); acknowledge each by id to approve"
        },
    )


class ReviewOut(Schema):
    moderator = fields.String()
    decision = fields.String()
    note = fields.String(allow_none=True)
    acknowledged = fields.List(fields.String())
    created_at = fields.DateTime()


class DryRunArgs(Loose):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Run every check an upload gets (permissions, publisher, duplicate or "
            "pending version, rate limit, dependencies, validation) and store nothing: 200 with "
            "the would-be submission (`dry_run: true`, status `dry-run`, no id), or the error "
            "the upload would get"
        },
    )


class Reviewers(Schema):
    supplier = fields.String()
    moderators = fields.Integer(
        metadata={"description": "How many users moderate the supplier; 0: no one reviews it yet"}
    )
    organisations = fields.List(
        fields.String(),
        metadata={"description": "The organisations (user groups) those moderators belong to"},
    )


class SubmissionOut(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "None in a dry run"})
    status = fields.String(
        metadata={
            "description": "pending, approving (an approval is being written: reject and withdraw answer 409), approved, rejected or withdrawn; dry-run for the answer of a dry run",
            "enum": ["pending", "approving", "approved", "rejected", "withdrawn", "dry-run"],
        }
    )
    dry_run = fields.Boolean(
        dump_default=False,
        metadata={"description": "True when nothing was stored (`?dry_run=true`)"},
    )
    reviewers = fields.Nested(
        Reviewers,
        metadata={"description": "Who reviews it: in the answer to an upload or dry run only"},
    )
    publisher = fields.String()
    name = fields.String()
    version = fields.String()
    supplier = fields.String()
    submitted_by = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    commit = fields.String(allow_none=True)
    checks = fields.Nested(Checks)
    manifest = fields.Dict()
    reviews = fields.List(fields.Nested(ReviewOut))
    diff = fields.Dict(
        metadata={"description": "Against the latest approved version (detail only)"}
    )


class VersionListItem(Schema):
    version = fields.String()
    approved_at = fields.DateTime()
    yanked = fields.Boolean()
    yank_reason = fields.String(allow_none=True)
    downloads = fields.Integer()


class PackOut(Schema):
    publisher = fields.String()
    name = fields.String()
    example = fields.Boolean(
        metadata={
            "description": "An example the registry was seeded with, not the publisher's own work"
        }
    )
    title = fields.String()
    summary = fields.String()
    latest = fields.String(allow_none=True)
    manifest = fields.Dict()
    versions = fields.List(fields.Nested(VersionListItem))
    downloads = fields.Integer()
    depends = fields.Dict(keys=fields.String(), values=fields.String())


class FileOut(Schema):
    path = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class SubmissionFileOut(FileOut):
    type = fields.String(
        metadata={
            "description": "text (served as text/plain), word, excel or binary (served as a download)",
            "enum": ["text", "word", "excel", "binary"],
        }
    )


class VersionOut(Schema):
    publisher = fields.String()
    name = fields.String()
    example = fields.Boolean(
        metadata={
            "description": "An example the registry was seeded with, not the publisher's own work"
        }
    )
    version = fields.String()
    manifest = fields.Dict()
    files = fields.List(fields.Nested(FileOut))
    archive_sha256 = fields.Dict(keys=fields.String(), values=fields.String())
    approved_by = fields.String()
    approved_at = fields.DateTime()
    commit = fields.String()
    tag = fields.String()
    yanked = fields.Boolean()
    yank_reason = fields.String(allow_none=True)
    downloads = fields.Integer()


class OrgOut(Schema):
    slug = fields.String()
    name = fields.String()
    type = fields.String()
    gss_code = fields.String(allow_none=True)
    dfe_number = fields.String(allow_none=True)
    example = fields.Boolean(
        metadata={
            "description": "An example the registry was seeded with, not the publisher's own work"
        }
    )
    packs = fields.Raw(metadata={"description": "A count in the list, the packs in the detail"})


class WhoamiOut(Schema):
    username = fields.String()
    scopes = fields.List(fields.String(), metadata={"description": "What the token may do"})
    organisations = fields.List(
        fields.String(), metadata={"description": "Publishers the user submits for"}
    )
    suppliers = fields.List(
        fields.String(), metadata={"description": "Suppliers the user moderates"}
    )
    admin = fields.Boolean()
