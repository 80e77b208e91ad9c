"""The parts of a framework a criterion is made of: texts, kinds, options, figures.

Split from ``definition`` (which assembles pillars, rules and the framework) so that each
stays small; import either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = str


class _Strict(BaseModel):
    """Every framework part: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class Kind(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    #: A screening question ("no" = 0), then one descriptor: answered like a single choice.
    LEVEL = "level"
    #: A reported numerator over a denominator; points from the criterion's %-bands.
    FIGURE = "figure"
    #: An agreement scale (1-5): answered and scored like a single choice.
    SCALE = "scale"


#: Kinds answered with one option code.
CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.LEVEL, Kind.SCALE})


class Comparison(StrEnum):
    """How a share is compared with a band's edge."""

    #: share >= edge reaches the band (a share exactly on the edge is the upper level).
    AT_LEAST = "at_least"
    #: share > edge reaches the band (exactly on the edge stays in the lower level).
    ABOVE = "above"

    def passes(self, share: Fraction, edge: Fraction) -> bool:
        return share > edge if self is Comparison.ABOVE else share >= edge


#: The code of the answer "no" to a level criterion's screening question.
NO = "no"
#: The code of "not applicable", accepted only where a framework allows it.
NOT_APPLICABLE = "na"


@dataclass(frozen=True, slots=True)
class Profile:
    """What applicability rules look at: the kind of business and its VSIC section."""

    entity_type: str | None = None
    sector: str | None = None


class Applicability(_Strict):
    """Who a criterion, component or pillar applies to; an empty list means everyone."""

    entity_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def applies(self, profile: Profile | None) -> bool:
        if profile is None:
            return True
        if self.entity_types and profile.entity_type not in self.entity_types:
            return False
        return not (self.sectors and profile.sector not in self.sectors)


class Option(_Strict):
    code: Code = Field(pattern=r"^[a-z0-9_]{1,40}$")
    points: int = Field(ge=0)
    label: Text


class FigureBand(_Strict):
    """A reported share passing ``percent`` (by the framework's comparison) earns ``points``."""

    points: int = Field(ge=1)
    percent: float = Field(ge=0, lt=100)


class SharedFigure(_Strict):
    """A figure several criteria divide by (total staff, revenue), asked once."""

    code: Code = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: Text
    unit: Text
    help: Text | None = None


class Criterion(_Strict):
    #: ``CX01`` (the project's own v1 numbering) or the Decision's ``1.1.1``.
    code: Code = Field(pattern=r"^([A-Z]{2}[0-9]{2}|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2})$")
    #: The criterion's name (the Decision's "tiêu chí").
    text: Text
    help: Text | None = None
    kind: Kind = Kind.SINGLE
    required: bool = True
    scale: str | None = None
    options: tuple[Option, ...] = ()
    max_points: int | None = Field(default=None, ge=1)
    #: Level criteria: the screening question, and what "yes" goes on to ask.
    question: Text | None = None
    prompt: Text | None = None
    #: Figure criteria: what the firm reports, over what, and in which unit.
    numerator: Text | None = None
    denominator: Text | None = None
    #: Figure criteria: a shared figure (``figures``) used as the denominator instead.
    base: str | None = None
    unit: Text | None = None
    bands: tuple[FigureBand, ...] = ()
    #: True while the scoring of this criterion is not the official one (see ``note``).
    provisional: bool = False
    #: Where an inference was made, and which.
    note: Text | None = None
    applies_to: Applicability | None = None

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        codes = [o.code for o in self.options]
        duplicates = sorted(c for c, n in Counter(codes).items() if n > 1)
        if duplicates:
            raise ValueError(f"option codes repeated: {', '.join(duplicates)}")
        if self.kind is Kind.MULTI and self.max_points is None:
            raise ValueError("a multi-choice criterion needs max_points")
        if self.kind is Kind.FIGURE:
            if self.options:
                raise ValueError("a figure criterion has bands, not options")
            if self.numerator is None or self.unit is None:
                raise ValueError("a figure criterion needs numerator and unit")
            if (self.denominator is None) == (self.base is None):
                raise ValueError("a figure criterion needs a denominator or a base, not both")
            if not self.bands:
                raise ValueError("a figure criterion needs bands")
            pairs = [(b.percent, b.points) for b in self.bands]
            if pairs != sorted(set(pairs)) or [p for _, p in pairs] != sorted({p for _, p in pairs}):
                raise ValueError("figure bands must rise in percent and in points")
        elif self.bands or self.numerator or self.denominator or self.base:
            raise ValueError("numerator, denominator, base and bands are for figure criteria")
        if self.kind is Kind.LEVEL and self.question is None:
            raise ValueError("a level criterion needs its screening question")
        if self.kind is not Kind.LEVEL and (self.question or self.prompt):
            raise ValueError("question and prompt are for level criteria")
        if NOT_APPLICABLE in codes:
            raise ValueError(f"option code {NOT_APPLICABLE!r} is reserved for not applicable")
        return self

    def applies(self, profile: Profile | None) -> bool:
        return self.applies_to is None or self.applies_to.applies(profile)


def criterion_max(criterion: Criterion) -> int:
    """A choice is worth its best option, a figure its top band, a multi choice its cap."""
    if criterion.kind is Kind.MULTI:
        return criterion.max_points or 0
    if criterion.kind is Kind.FIGURE:
        return max((b.points for b in criterion.bands), default=0)
    return max((o.points for o in criterion.options), default=0)


def criterion_problems(pillar: str, criterion: Criterion) -> list[str]:
    where = f"pillar {pillar}, criterion {criterion.code}"
    if criterion.kind is Kind.FIGURE:
        best = criterion_max(criterion)
        if criterion.max_points is not None and criterion.max_points != best:
            return [f"{where}: max_points {criterion.max_points} but the top band is worth {best}"]
        return []
    if len(criterion.options) < 2:
        return [f"{where}: needs at least two options"]
    problems = []
    if criterion.kind in CHOICE_KINDS:
        best = criterion_max(criterion)
        if criterion.max_points is not None and criterion.max_points != best:
            problems.append(f"{where}: max_points {criterion.max_points} but the best option is worth {best}")
        points = [o.points for o in criterion.options]
        if points != sorted(points):
            problems.append(f"{where}: options must be ordered by points")
    elif sum(o.points for o in criterion.options) < (criterion.max_points or 0):
        problems.append(f"{where}: all options together cannot reach max_points")
    return problems
