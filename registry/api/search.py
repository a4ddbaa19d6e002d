"""GET /search and GET /suggest: what a council systems administrator types, answered fast."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from registry.api.auth import registry
from registry.services import discovery
from registry.services.discovery import FACETS, MAX_PER_PAGE, SORTS

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/api/v1",
    description="Search approved packs: words, abbreviations (SoS, LAC, MASH …), filters with live counts.",
)

MAX_QUERY = 500  # longer than any real query; keeps a hostile one cheap
MAX_FILTER_VALUES = 20


def _filter_field() -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(max=100)),
        load_default=list,
        validate=validate.Length(max=MAX_FILTER_VALUES),
    )


class SearchArgs(Schema):
    """Query string of /search; a filter may repeat (OR within a filter, AND across filters)."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    # One field per filter of FACETS (spelled out so the OpenAPI document lists them).
    supplier = _filter_field()
    product = _filter_field()
    service_area = _filter_field()
    practice_model = _filter_field()
    organisation_structure = _filter_field()
    kind = _filter_field()
    statutory_return = _filter_field()
    publisher = _filter_field()
    licence = _filter_field()


class SuggestArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=20))


class Result(Schema):
    publisher = fields.String()
    name = fields.String()
    version = fields.String()
    title = fields.String()
    summary = fields.String()
    supplier = fields.String()
    products = fields.List(fields.String())
    service_areas = fields.List(fields.String())
    practice_models = fields.List(fields.String())
    organisation_structures = fields.List(fields.String())
    kinds = fields.List(fields.String())
    statutory_returns = fields.List(fields.String())
    updated_at = fields.String()
    downloads = fields.Integer()
    highlights = fields.Raw(
        metadata={"description": "Short HTML-escaped fragments with <mark> around matches"}
    )


class SearchOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(Result))
    facets = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer())
    )
    did_you_mean = fields.String(allow_none=True)


class SuggestOut(Schema):
    publisher = fields.String()
    name = fields.String()
    title = fields.String()


@blp.route("/search")
class SearchView(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchOut)
    def get(self, args: dict):
        """Search packs; facet counts for every filter; `did_you_mean` for a rare or misspelt word."""
        filters = {f: args[f] for f in FACETS if args.get(f)}
        # The engine's JSON already has SearchOut's shape (tests/api/test_search_shape.py checks):
        # sent as it is, a cached answer costs no decoding, dumping or encoding per request.
        text = discovery.search_json(
            registry(), args["q"], filters, args["sort"], args["page"], args["per_page"]
        )
        return Response(text, mimetype="application/json")


@blp.route("/suggest")
class SuggestView(MethodView):
    @blp.arguments(SuggestArgs, location="query")
    @blp.response(200, SuggestOut(many=True))
    def get(self, args: dict):
        """Typeahead on pack names and titles."""
        return discovery.suggest(registry(), args["q"], args["limit"])
