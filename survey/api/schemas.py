"""The API's parameters and its answers about frameworks and waves, as marshmallow schemas.

The same schemas validate what comes in and shape what goes out, and flask-smorest
writes them into the OpenAPI document. Every parameter is bounded here (enumerations,
patterns, lengths, ranges), so nothing reaches a query that the document does not allow;
the values that live in the database (unit codes, former areas, sectors) are then
checked against it by the one filter parser (survey.reports.filters). The figures' own
schemas are in survey.api.figure_schemas.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from survey.api.problems import KINDS
from survey.ids import MAX_ID
from survey.reports.dimensions import DIMENSIONS
from survey.reports.filters import FILTERS

#: The largest page of responses one request may ask for.
PAGE_MAX = 1000
PAGE_DEFAULT = 100


def _id(description: str, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=False, validate=validate.Range(1, MAX_ID), metadata={"description": description}, **kwargs
    )


class ProblemSchema(ma.Schema):
    """A problem detail (RFC 9457)."""

    type = fields.String(required=True, metadata={"description": "The problem type's address."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "Stable: programs branch on it."})
    instance = fields.String(metadata={"description": "The path that was asked for."})
    errors = fields.Dict(metadata={"description": "For invalid_parameter: messages by location and name."})


class ProblemTypeSchema(ma.Schema):
    code = fields.String(required=True)
    status = fields.Integer(required=True)
    title = fields.String(required=True)


class ProblemTypePath(ma.Schema):
    code = fields.String(required=True, validate=validate.OneOf(list(KINDS)))


# --- parameters --------------------------------------------------------------------------------

#: What a filter's value may look like before the database is asked about it.
_SHAPES = {
    "unit": [validate.Regexp(r"^[0-9]{1,10}$"), validate.Length(max=10)],
    "former_area": [validate.Length(min=1, max=100)],
    "sector": [validate.Regexp(r"^[A-Z]$")],
}


def _filter_field(name: str) -> fields.String:
    f = FILTERS[name]
    checks = _SHAPES.get(name) or [validate.OneOf([e.value for e in f.enum])]
    return fields.String(validate=checks, metadata={"description": f.help})


#: One query parameter per filter of survey.reports.filters, by its canonical name.
FILTER_FIELDS = {name: _filter_field(name) for name in FILTERS}


#: The filters alone (a parameter the document does not name is refused: survey.api.openapi).
FilterArgs = ma.Schema.from_dict(dict(FILTER_FIELDS), name="FilterArgs")


class RollupArgs(FilterArgs):  # type: ignore[misc,valid-type]
    by = fields.String(
        validate=validate.OneOf(list(DIMENSIONS)), metadata={"description": "Break the figures down by."}
    )
    compare_to = _id(
        "An earlier wave on the same framework version and kinds of business: the change "
        "in each tier's weighted share, with Newcombe's interval. Not with filters."
    )


class ResponsesArgs(FilterArgs):  # type: ignore[misc,valid-type]
    after = fields.Integer(
        strict=False,
        load_default=0,
        validate=validate.Range(0, MAX_ID),
        metadata={
            "description": "The keyset: responses with an id above this (the previous page's next_after)."
        },
    )
    limit = fields.Integer(
        strict=False,
        load_default=PAGE_DEFAULT,
        validate=validate.Range(1, PAGE_MAX),
        metadata={"description": f"Responses on this page, at most {PAGE_MAX}."},
    )


# --- answers -----------------------------------------------------------------------------------


class TextSchema(ma.Schema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


def bilingual(**kwargs) -> fields.Nested:
    return fields.Nested(TextSchema, **kwargs)


class FrameworkVersionSchema(ma.Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    title = bilingual(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    offered = fields.Boolean(
        required=True, metadata={"description": "Whether new waves may use it (old ones stay pinned)."}
    )


class FrameworkListSchema(ma.Schema):
    items = fields.List(fields.Nested(FrameworkVersionSchema), required=True)


class ApplicabilitySchema(ma.Schema):
    entity_types = fields.List(fields.String(), required=True)
    sectors = fields.List(fields.String(), required=True)


class OptionSchema(ma.Schema):
    code = fields.String(required=True)
    label = bilingual(required=True)
    points = fields.Integer(required=True)


class BandSchema(ma.Schema):
    above_percent = fields.Float(required=True)
    points = fields.Integer(required=True)


class CriterionSchema(ma.Schema):
    code = fields.String(required=True)
    text = bilingual(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["single", "multi", "level", "figure"]))
    required = fields.Boolean(required=True)
    max_points = fields.Integer(required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)
    question = bilingual(allow_none=True, metadata={"description": "Level criteria: the screening question."})
    prompt = bilingual(allow_none=True)
    numerator = bilingual(allow_none=True, metadata={"description": "Figure criteria."})
    denominator = bilingual(allow_none=True)
    base = fields.String(allow_none=True)
    unit = bilingual(allow_none=True)
    bands = fields.List(fields.Nested(BandSchema))
    provisional = fields.Boolean()
    note = bilingual()
    applies_to = fields.Nested(ApplicabilitySchema)


class ComponentSchema(ma.Schema):
    code = fields.String(required=True)
    name = bilingual(required=True)
    max_points = fields.Integer(required=True)
    applies_to = fields.Nested(ApplicabilitySchema, allow_none=True, required=True)
    criteria = fields.List(fields.String(), required=True)


class PillarSchema(ma.Schema):
    code = fields.String(required=True)
    name = bilingual(required=True)
    max_points = fields.Integer(required=True)
    applies_to = fields.Nested(ApplicabilitySchema, allow_none=True, required=True)
    components = fields.List(fields.Nested(ComponentSchema), required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


class PillarBandSchema(ma.Schema):
    level = fields.Integer(required=True)
    percent = fields.Float(required=True)


class OverallRuleSchema(ma.Schema):
    level = fields.Integer(required=True)
    total_above = fields.Integer(required=True)
    min_pillars = fields.Integer(required=True)
    pillar_level = fields.Integer(required=True)


class LevelSchema(ma.Schema):
    level = fields.Integer(required=True)
    name = bilingual(required=True)


class TierSchema(ma.Schema):
    code = fields.String(required=True)
    min_level = fields.Integer(required=True)
    name = bilingual(required=True)


class FigureSchema(ma.Schema):
    code = fields.String(required=True)
    label = bilingual(required=True)
    unit = bilingual(required=True)


class TechnologySchema(ma.Schema):
    code = fields.String(required=True)
    label = bilingual(required=True)


class FrameworkContractSchema(ma.Schema):
    """The ``framework export`` contract (survey.scoring.export): enough to re-implement the scoring."""

    code = fields.String(required=True)
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    title = bilingual(required=True)
    wording = fields.String(required=True, validate=validate.OneOf(["official", "project"]))
    provisional = bilingual(allow_none=True, required=True)
    rescores = fields.Integer(allow_none=True, required=True)
    max_points = fields.Integer(required=True)
    band_comparison = fields.String(required=True)
    allows_not_applicable = fields.Boolean(required=True)
    pillar_bands = fields.List(fields.Nested(PillarBandSchema), required=True)
    overall_rules = fields.List(fields.Nested(OverallRuleSchema), required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True)
    tiers = fields.List(fields.Nested(TierSchema), required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)
    pillars = fields.List(fields.Nested(PillarSchema), required=True)
    technologies = fields.List(fields.Nested(TechnologySchema), required=True)


class FrameworkPath(ma.Schema):
    code = fields.String(required=True, validate=[validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$")])
    version = _id("The framework's version number.", required=True)


class WaveRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)


class FrameworkRefSchema(ma.Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)


class WaveSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["draft", "open", "closed"]))
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    kinds = fields.List(
        fields.String(), required=True, metadata={"description": "Kinds of business it is for."}
    )
    framework = fields.Nested(FrameworkRefSchema, required=True)
    modules = fields.List(
        fields.Nested(FrameworkRefSchema),
        required=True,
        metadata={"description": "Unscored modules it carries."},
    )
    counted = fields.Integer(
        required=True,
        metadata={"description": "Responses that count in the figures (submitted, not rejected)."},
    )


class WaveListSchema(ma.Schema):
    items = fields.List(fields.Nested(WaveSchema), required=True)
