"""The figures' schemas: the rollup, the public summary and a page of responses.

A share, a mean and each end of an interval is null where there is nothing to say: no
respondent, or a group below the minimum group size (``suppressed``), which keeps its n
and loses every figure, as on the pages.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from survey.api.schemas import FrameworkRefSchema, WaveRefSchema, bilingual


def _share() -> fields.Float:
    return fields.Float(allow_none=True, required=True)


class TierShareSchema(ma.Schema):
    count = fields.Integer(allow_none=True, required=True)
    share = _share()
    ci_low = _share()
    ci_high = _share()


class EstimateSchema(ma.Schema):
    estimate = _share()
    ci_low = _share()
    ci_high = _share()


def _by_code(values, **kwargs) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=values, required=True, **kwargs)


class RollupOverallSchema(ma.Schema):
    n = fields.Integer(required=True)
    tiers = _by_code(fields.Nested(TierShareSchema))
    levels = _by_code(fields.Integer())
    pillar_means = _by_code(fields.Float(allow_none=True))


def _firms(description: str) -> fields.Float:
    return fields.Float(allow_none=True, required=True, metadata={"description": description})


class WeightedTierSchema(EstimateSchema):
    """A tier's population estimate for a group, and the firms it stands for."""

    firms = _firms("The estimate times the group's register count: the firms it stands for.")
    firms_low = _firms("ci_low times the group's register count.")
    firms_high = _firms("ci_high times the group's register count.")


class GroupWeightedSchema(ma.Schema):
    """A group's population estimate: post-stratified inside the group on the remaining
    strata, Wilson 95% intervals at Kish's effective n (the honest figure; ``tiers`` of
    the group are the respondents' own shares)."""

    register = fields.Integer(required=True, metadata={"description": "The group's firms in the register."})
    respondents = fields.Integer(required=True)
    effective_n = fields.Float(required=True)
    coverage = fields.Float(
        required=True, metadata={"description": "Share of the group's register in cells with respondents."}
    )
    tiers = _by_code(fields.Nested(WeightedTierSchema))


class RollupGroupSchema(RollupOverallSchema):
    key = fields.String(allow_none=True, required=True, metadata={"description": "null: not stated."})
    label = bilingual(allow_none=True)
    suppressed = fields.Boolean(required=True)
    weighted = fields.Nested(
        GroupWeightedSchema,
        allow_none=True,
        required=True,
        metadata={"description": "null: a suppressed group, or one with no register cell to weight by."},
    )


class ModelTierSchema(ma.Schema):
    estimate = fields.Float(required=True)
    ci_low = fields.Float(required=True)
    ci_high = fields.Float(required=True)
    firms = fields.Float(required=True)
    firms_low = fields.Float(required=True)
    firms_high = fields.Float(required=True)


class ModelBasedUnitSchema(ma.Schema):
    """A unit's model-based estimate: NOT a direct figure. Given only for a unit below the
    minimum group with at least the minimum register (``MODEL_MIN_REGISTER``), never for a
    unit with a direct figure; it borrows strength from the unit's former district and its
    register's mix of sectors and sizes (a logistic model with a random effect per unit)."""

    key = fields.String(required=True)
    label = bilingual(allow_none=True, required=True)
    register = fields.Integer(required=True)
    respondents = fields.Integer(required=True)
    method = fields.String(required=True, validate=validate.OneOf(["model-based"]))
    tiers = _by_code(fields.Nested(ModelTierSchema))


class StratumSchema(ma.Schema):
    key = _by_code(fields.String(allow_none=True))
    population = fields.Integer(required=True)
    respondents = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True, required=True)


class PopulationSchema(ma.Schema):
    strata_by = fields.List(fields.String(), required=True)
    business_kinds = fields.List(fields.String(), required=True)
    tiers = _by_code(fields.Nested(EstimateSchema))
    effective_n = fields.Float(required=True)
    coverage = fields.Float(required=True)
    register_size = fields.Integer(required=True)
    register_unstratified = fields.Integer(required=True)
    respondents_unstratified = fields.Integer(required=True)
    strata = fields.List(fields.Nested(StratumSchema), required=True)
    uncovered = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String(allow_none=True)), required=True
    )


class ReferenceSchema(ma.Schema):
    code = fields.String(required=True)
    year = fields.Integer(required=True)
    value = fields.Float(required=True)
    tier = fields.String(allow_none=True, required=True)
    source = fields.String(required=True)


class DifferenceSchema(ma.Schema):
    difference = fields.Float(required=True)
    ci_low = fields.Float(required=True)
    ci_high = fields.Float(required=True)


class ChangeSchema(ma.Schema):
    earlier = fields.Nested(WaveRefSchema, required=True)
    later = fields.Nested(WaveRefSchema, required=True)
    tiers = _by_code(fields.Nested(DifferenceSchema, allow_none=True))


class RollupFrameworkSchema(FrameworkRefSchema):
    title = bilingual(required=True)


class RollupSchema(ma.Schema):
    """What ``flask rollup --format json`` prints, with the breakdown's small groups suppressed."""

    wave = fields.Nested(WaveRefSchema, required=True)
    framework = fields.Nested(RollupFrameworkSchema, required=True)
    tiers = fields.List(fields.String(), required=True)
    levels = fields.List(fields.Integer(), required=True)
    pillars = fields.List(fields.String(), required=True)
    overall = fields.Nested(RollupOverallSchema, required=True)
    filters = _by_code(fields.String())
    population = fields.Nested(PopulationSchema, required=True)
    reference = fields.List(fields.Nested(ReferenceSchema), required=True)
    min_group = fields.Integer(required=True)
    by = fields.String()
    groups = fields.List(fields.Nested(RollupGroupSchema))
    model_based = fields.List(
        fields.Nested(ModelBasedUnitSchema),
        metadata={"description": "By unit only: the model-based estimates of the units too small to report."},
    )
    change = fields.Nested(ChangeSchema)


# --- the public summary -------------------------------------------------------------------------


class MethodSchema(ma.Schema):
    counted = bilingual(required=True)
    estimate = bilingual(required=True)
    groups = bilingual(required=True, metadata={"description": "How each group's estimate is made."})
    model_based = bilingual(required=True, metadata={"description": "What a model-based estimate is."})
    strata_by = fields.List(fields.String(), required=True)
    confidence = fields.Float(required=True)
    min_group = fields.Integer(required=True)
    model_min_register = fields.Integer(
        allow_none=True,
        required=True,
        metadata={
            "description": "The register a unit needs for a model-based estimate; null: no unit breakdown."
        },
    )


class SummaryFrameworkSchema(RollupFrameworkSchema):
    provisional = bilingual(allow_none=True, required=True)


class HeadlineTierSchema(EstimateSchema):
    code = fields.String(required=True)
    name = bilingual(required=True)
    respondents_share = _share()


class HeadlineSchema(ma.Schema):
    register_size = fields.Integer(required=True)
    responses = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True, required=True)
    coverage = fields.Float(required=True)
    tiers = fields.List(fields.Nested(HeadlineTierSchema), required=True)


class PillarMeanSchema(ma.Schema):
    code = fields.String(required=True)
    name = bilingual(required=True)
    mean_percent = fields.Float(allow_none=True, required=True)


class LevelCountSchema(ma.Schema):
    level = fields.Integer(required=True)
    name = bilingual(required=True)
    count = fields.Integer(required=True)


class GroupShareSchema(ma.Schema):
    share = _share()
    ci_low = _share()
    ci_high = _share()


class SummaryModelSchema(ma.Schema):
    """A unit's model-based estimate, as the page shows it: NOT a direct figure."""

    method = fields.String(required=True, validate=validate.OneOf(["model-based"]))
    label = bilingual(required=True, metadata={"description": "Model-based estimate, in both languages."})
    register = fields.Integer(required=True)
    respondents = fields.Integer(required=True)
    tiers = _by_code(fields.Nested(ModelTierSchema))


class SummaryGroupSchema(ma.Schema):
    key = fields.String(allow_none=True, required=True, metadata={"description": "null: not stated."})
    label = bilingual(required=True)
    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True)
    tiers = _by_code(
        fields.Nested(GroupShareSchema), metadata={"description": "The respondents' own shares, unweighted."}
    )
    weighted = fields.Nested(
        GroupWeightedSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The group's population estimate; null: suppressed, or nothing to weight."},
    )
    model_based = fields.Nested(
        SummaryModelSchema,
        allow_none=True,
        required=True,
        metadata={"description": "By unit only: a suppressed unit's model-based estimate, where given."},
    )
    pillar_means = _by_code(fields.Float(allow_none=True))


class SummaryBreakdownSchema(ma.Schema):
    dimension = fields.String(required=True)
    label = bilingual(required=True)
    groups = fields.List(fields.Nested(SummaryGroupSchema), required=True)


class TechnologyCountSchema(ma.Schema):
    code = fields.String(required=True)
    label = bilingual(required=True)
    count = fields.Integer(required=True)


class SummaryReferenceSchema(ReferenceSchema):
    label = bilingual(required=True)


class RatingFigureSchema(ma.Schema):
    question = fields.String(required=True)
    section = fields.String(required=True)
    text = bilingual(required=True)
    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True)
    mean = fields.Float(allow_none=True, required=True)
    high_share = fields.Float(allow_none=True, required=True)
    weighted_mean = fields.Nested(EstimateSchema, required=True)
    weighted_high = fields.Nested(EstimateSchema, required=True)


class OptionFigureSchema(ma.Schema):
    question = fields.String(required=True)
    option = fields.String(required=True)
    label = bilingual(required=True)
    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True)
    count = fields.Integer(allow_none=True, required=True)
    share = fields.Float(allow_none=True, required=True)
    weighted = fields.Nested(EstimateSchema, required=True)


class ModuleGroupSchema(ma.Schema):
    key = fields.String(allow_none=True, required=True)
    label = bilingual(allow_none=True, required=True)
    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True, metadata={"description": "Then no rating or option is given."})
    ratings = fields.List(fields.Nested(RatingFigureSchema), required=True)
    options = fields.List(fields.Nested(OptionFigureSchema), required=True)


class ModuleBreakdownSchema(ma.Schema):
    dimension = fields.String(required=True)
    label = bilingual(required=True)
    groups = fields.List(fields.Nested(ModuleGroupSchema), required=True)


class ModuleFiguresSchema(ma.Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    title = bilingual(required=True)
    high_from = fields.Integer(required=True)
    highest = fields.Integer(required=True)
    overall = fields.Nested(ModuleGroupSchema, required=True)
    breakdowns = fields.List(fields.Nested(ModuleBreakdownSchema), required=True)


class PublicSummarySchema(ma.Schema):
    """The figures of /summary (the newest wave with counted responses), in both languages."""

    wave = fields.Nested(WaveRefSchema, required=True)
    framework = fields.Nested(SummaryFrameworkSchema, required=True)
    method = fields.Nested(MethodSchema, required=True)
    kinds = fields.List(fields.String(), required=True)
    populations = fields.List(fields.String(), required=True)
    headline = fields.Nested(HeadlineSchema, required=True)
    pillars = fields.List(fields.Nested(PillarMeanSchema), required=True)
    levels = fields.List(fields.Nested(LevelCountSchema), required=True)
    breakdowns = fields.List(fields.Nested(SummaryBreakdownSchema), required=True)
    technologies = fields.List(fields.Nested(TechnologyCountSchema), required=True)
    reference = fields.List(fields.Nested(SummaryReferenceSchema), required=True)
    modules = fields.List(fields.Nested(ModuleFiguresSchema), required=True)


# --- a page of responses -------------------------------------------------------------------------


class ColumnSchema(ma.Schema):
    code = fields.String(required=True)
    sheet = fields.String(required=True, metadata={"description": "Responses or Scores, as in the workbook."})
    kind = fields.String(required=True)
    label = bilingual(required=True)


class ResponsesPageSchema(ma.Schema):
    """One page of a wave's responses: the workbook's columns, one object per response."""

    wave = fields.Nested(WaveRefSchema, required=True)
    framework = fields.Nested(FrameworkRefSchema, required=True)
    filters = _by_code(fields.String())
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    items = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={"description": "Keyed by column code; values are text, numbers, booleans, lists or null."},
    )
    next_after = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as after for the next page; null: last page."},
    )
