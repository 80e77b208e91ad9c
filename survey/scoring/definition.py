"""Framework definitions: the schema of a framework file, its loader and its checks.

A framework file (YAML) is reviewed like code and validated strictly on load; any
problem is reported with the file and the path of the bad field. Reusable answer
``scales`` are expanded into each criterion's own options here, so everything after
loading sees one shape.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Code = str


class FrameworkError(ValueError):
    """A framework file or definition that cannot be used; the message names where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class Kind(StrEnum):
    SINGLE = "single"
    MULTI = "multi"


class Option(_Strict):
    code: Code = Field(pattern=r"^[a-z0-9_]{1,40}$")
    points: int = Field(ge=0)
    label: Text


class Criterion(_Strict):
    code: Code = Field(pattern=r"^[A-Z]{2}[0-9]{2}$")
    text: Text
    help: Text | None = None
    kind: Kind = Kind.SINGLE
    required: bool = True
    scale: str | None = None
    options: tuple[Option, ...] = ()
    max_points: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        codes = [o.code for o in self.options]
        duplicates = sorted(c for c, n in Counter(codes).items() if n > 1)
        if duplicates:
            raise ValueError(f"option codes repeated: {', '.join(duplicates)}")
        if self.kind is Kind.MULTI and self.max_points is None:
            raise ValueError("a multi-choice criterion needs max_points")
        return self


class Pillar(_Strict):
    code: Code = Field(pattern=r"^[a-z_]{2,40}$")
    name: Text
    description: Text | None = None
    max_points: int = Field(ge=1)
    recommendations: dict[int, Text]
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Level(_Strict):
    level: int = Field(ge=0)
    name: Text
    description: Text | None = None


class Band(_Strict):
    """A pillar reaches ``level`` from ``min_percent`` of its maximum (inclusive)."""

    level: int = Field(ge=1)
    min_percent: float = Field(gt=0, le=100)


class OverallRule(_Strict):
    """Overall ``level`` needs total points strictly above ``total_above`` and at least
    ``min_pillars`` pillars at ``pillar_level`` or higher (``all`` = every pillar)."""

    level: int = Field(ge=1)
    total_above: int = Field(ge=0)
    min_pillars: int | Literal["all"]
    pillar_level: int = Field(ge=0)


class Tier(_Strict):
    code: Code = Field(pattern=r"^[a-z_]{2,20}$")
    min_level: int = Field(ge=0)
    name: Text
    description: Text | None = None


class Technology(_Strict):
    code: Code = Field(pattern=r"^[a-z0-9_]{1,40}$")
    label: Text


class Framework(_Strict):
    code: Code = Field(pattern=r"^[a-z0-9-]{2,60}$")
    version: int = Field(ge=1)
    title: Text
    source: Text | None = None
    levels: tuple[Level, ...]
    pillar_bands: tuple[Band, ...]
    overall_rules: tuple[OverallRule, ...]
    tiers: tuple[Tier, ...]
    pillars: tuple[Pillar, ...]
    technologies: tuple[Technology, ...] = ()
    #: SHA-256 of the canonical JSON of the source definition; set by the loader.
    content_hash: str = ""

    @model_validator(mode="before")
    @classmethod
    def _expand_scales(cls, data: Any) -> Any:
        """Give each criterion that names a ``scale`` that scale's options."""
        if not isinstance(data, dict):
            return data
        scales = data.pop("scales", None) or {}
        if not isinstance(scales, dict):
            raise ValueError("scales must be a mapping of name to options")
        pillars = data.get("pillars")
        for pillar in pillars if isinstance(pillars, list) else []:
            criteria = pillar.get("criteria") if isinstance(pillar, dict) else None
            for criterion in criteria if isinstance(criteria, list) else []:
                if not isinstance(criterion, dict) or "scale" not in criterion:
                    continue
                name = criterion["scale"]
                if not isinstance(name, str) or name not in scales:
                    raise ValueError(f"criterion {criterion.get('code')}: unknown scale {name!r}")
                if criterion.get("options"):
                    raise ValueError(f"criterion {criterion.get('code')}: give a scale or options, not both")
                criterion["options"] = scales[name]
        return data

    @model_validator(mode="after")
    def _check(self) -> Framework:
        problems: list[str] = []
        level_numbers = [lv.level for lv in self.levels]
        if level_numbers != list(range(len(level_numbers))) or not level_numbers:
            problems.append("levels must be 0, 1, 2, … in order")
        top = len(level_numbers) - 1
        for name, rules in (
            ("pillar_bands", self.pillar_bands),
            ("overall_rules", self.overall_rules),
        ):
            numbers = [r.level for r in rules]
            if numbers != list(range(1, top + 1)):
                problems.append(f"{name} must give levels 1..{top} in order")
        percents = [b.min_percent for b in self.pillar_bands]
        if percents != sorted(set(percents)):
            problems.append("pillar_bands min_percent must increase with the level")
        tier_levels = [t.min_level for t in self.tiers]
        if not self.tiers or tier_levels != sorted(set(tier_levels), reverse=True) or tier_levels[-1] != 0:
            problems.append("tiers must go from the highest min_level down to a tier at 0")
        for rule in self.overall_rules:
            if rule.min_pillars != "all" and not 0 < rule.min_pillars <= len(self.pillars):
                problems.append(f"overall_rules level {rule.level}: min_pillars out of range")
        seen: Counter[str] = Counter()
        for pillar in self.pillars:
            seen.update(c.code for c in pillar.criteria)
            if sorted(pillar.recommendations) != level_numbers:
                problems.append(f"pillar {pillar.code}: recommendations needed for levels {level_numbers}")
            total = 0
            for criterion in pillar.criteria:
                problems.extend(_criterion_problems(pillar.code, criterion))
                total += criterion_max(criterion)
            if total != pillar.max_points:
                problems.append(
                    f"pillar {pillar.code}: max_points is {pillar.max_points}"
                    f" but its criteria add up to {total}"
                )
        for kind, codes in (
            ("pillar", Counter(p.code for p in self.pillars)),
            ("criterion", seen),
            ("tier", Counter(t.code for t in self.tiers)),
            ("technology", Counter(t.code for t in self.technologies)),
        ):
            problems.extend(f"{kind} code {c} is used {n} times" for c, n in codes.items() if n > 1)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def max_points(self) -> int:
        return sum(p.max_points for p in self.pillars)

    def level(self, number: int) -> Level:
        return self.levels[number]

    def tier(self, code: str) -> Tier:
        return next(t for t in self.tiers if t.code == code)

    def criteria(self) -> list[tuple[Pillar, Criterion]]:
        return [(p, c) for p in self.pillars for c in p.criteria]


def criterion_max(criterion: Criterion) -> int:
    """A single choice is worth its best option; a multi choice its declared cap."""
    if criterion.kind is Kind.MULTI:
        return criterion.max_points or 0
    return max((o.points for o in criterion.options), default=0)


def _criterion_problems(pillar: str, criterion: Criterion) -> list[str]:
    where = f"pillar {pillar}, criterion {criterion.code}"
    if len(criterion.options) < 2:
        return [f"{where}: needs at least two options"]
    problems = []
    if criterion.kind is Kind.SINGLE:
        best = criterion_max(criterion)
        if criterion.max_points is not None and criterion.max_points != best:
            problems.append(f"{where}: max_points {criterion.max_points} but the best option is worth {best}")
        points = [o.points for o in criterion.options]
        if points != sorted(points):
            problems.append(f"{where}: options must be ordered by points")
    elif sum(o.points for o in criterion.options) < (criterion.max_points or 0):
        problems.append(f"{where}: all options together cannot reach max_points")
    return problems


def canonical_hash(data: dict) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def from_dict(data: dict, origin: str = "<definition>") -> Framework:
    """Validate a parsed definition; ``origin`` names it in error messages."""
    if not isinstance(data, dict):
        raise FrameworkError(f"{origin}: the top level must be a mapping")
    try:
        # Validation pops ``scales``; work on a copy so the caller's data is untouched.
        framework = Framework.model_validate(copy.deepcopy(data))
    except ValidationError as exc:
        raise FrameworkError(f"{origin}: {_describe(exc)}") from None
    try:
        digest = canonical_hash(data)
    except (TypeError, ValueError) as exc:
        # Only unused parts (an unreferenced scale) can get here: the rest was validated.
        raise FrameworkError(f"{origin}: holds a value that is not plain JSON data ({exc})") from None
    return framework.model_copy(update={"content_hash": digest})


def load_file(path: str | Path) -> tuple[Framework, dict]:
    """Read and validate a framework file; returns the framework and the raw definition."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: not valid YAML ({exc})") from None
    return from_dict(data, str(path)), data


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = ".".join(str(x) for x in error["loc"]) or "(top level)"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)
