"""Framework definitions: the schema of a framework file, its loader and its checks.

A framework file (YAML) is reviewed like code and validated strictly on load; any
problem is reported with the file and the path of the bad field. Reusable answer
``scales`` are expanded into each criterion's own options here, a *level* criterion gets
its "no" answer in front of its descriptors, and a pillar's components are flattened into
its criteria, so everything after loading sees one shape.

The shapes a national instrument needs:

- pillars, optionally divided into **components** (DBI 2021 has 10), each with a maximum;
- criteria of five **kinds**: ``single`` and ``multi`` choice; ``level`` (a yes/no
  screening question, "no" scoring 0, "yes" leading to one of the criterion's descriptors
  with their points); ``figure`` (the firm reports a numerator and a denominator, points
  come from %-bands); ``scale`` (a 1-5 agreement scale, scored like a single choice);
- **band comparison** as data: ``at_least`` (a share exactly on an edge reaches the upper
  level) or ``above`` (it stays in the lower one, as the DBI tables read);
- **applicability**: a criterion, a component or a whole pillar may apply only to some
  kinds of business or sectors; what does not apply is left out of the maximum.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AliasChoices, Field, ValidationError, model_validator

from survey.scoring.criteria import (  # noqa: F401 (re-exported: one place to import from)
    CHOICE_KINDS,
    NO,
    NOT_APPLICABLE,
    Applicability,
    Code,
    Comparison,
    Criterion,
    FigureBand,
    Kind,
    Option,
    Profile,
    SharedFigure,
    Text,
    _Strict,
    criterion_max,
    criterion_problems,
)


class FrameworkError(ValueError):
    """A framework file or definition that cannot be used; the message names where."""


class Component(_Strict):
    """A component index between a pillar and its criteria (DBI 2021 has 10)."""

    code: Code = Field(pattern=r"^[0-9]{1,2}\.[0-9]{1,2}$")
    name: Text
    max_points: int = Field(ge=1)
    applies_to: Applicability | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)


#: Size classes a recommendation may be written for; ``default`` serves the others.
SIZE_KEYS = ("default", "micro", "small", "medium", "large", "household")
SizedText = dict[Literal["default", "micro", "small", "medium", "large", "household"], Text]
#: Advice for a size a framework does not write for: a household business gets the micro
#: enterprise's (the v2 recommendations are written for "micro/household").
SIZE_FALLBACK = {"household": "micro"}


class Pillar(_Strict):
    code: Code = Field(pattern=r"^[a-z_]{2,40}$")
    name: Text
    description: Text | None = None
    max_points: int = Field(ge=1)
    #: Per level: one text, or texts by size class (``default`` required) so that a
    #: one-person shop is never told to deploy an ERP.
    recommendations: dict[int, Text | SizedText]
    applies_to: Applicability | None = None
    components: tuple[Component, ...] = ()
    #: Every criterion of the pillar in order (the components' criteria, when it has them).
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("components") is not None:
            if data.get("criteria") is not None:
                raise ValueError("give components or criteria, not both")
            components = data["components"]
            if isinstance(components, list):
                data = {
                    **data,
                    "criteria": [
                        c
                        for comp in components
                        if isinstance(comp, dict)
                        for c in (comp.get("criteria") or [])
                    ],
                }
        return data

    def recommendation(self, level: int, size: str | None = None) -> Text:
        """The advice at ``level`` for a firm of size class ``size``."""
        text = self.recommendations[level]
        if isinstance(text, Text):
            return text
        fallback = SIZE_FALLBACK.get(size or "")
        return text.get(size) or (fallback and text.get(fallback)) or text["default"]  # type: ignore[arg-type]

    def component_of(self, code: str) -> Component | None:
        return next((c for c in self.components if any(k.code == code for k in c.criteria)), None)


class Level(_Strict):
    level: int = Field(ge=0)
    name: Text
    description: Text | None = None


class Band(_Strict):
    """A pillar reaches ``level`` when its share passes ``percent`` of its maximum, by the
    framework's ``band_comparison`` (``min_percent`` is the name version 1 files use)."""

    level: int = Field(ge=1)
    percent: float = Field(gt=0, le=100, validation_alias=AliasChoices("percent", "min_percent"))


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
    #: ``official``: the instrument's published wording; ``project``: our own.
    wording: Literal["official", "project"] = "project"
    #: What is provisional in this version's scoring, shown wherever results are.
    provisional: Text | None = None
    #: Same questions as that version of this code, other scoring rules: waves pinned to
    #: it may be re-scored under this one.
    rescores: int | None = Field(default=None, ge=1)
    band_comparison: Comparison = Comparison.AT_LEAST
    #: Whether a respondent may answer "not applicable" (left out of the maximum).
    allows_not_applicable: bool = False
    #: Figures several figure criteria divide by, asked once.
    figures: tuple[SharedFigure, ...] = ()
    #: The label of the "no" answer to every level criterion's screening question.
    screening_no: Text = Text(vi="Không", en="No")
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
        for criterion in _raw_criteria(data):
            if "scale" not in criterion:
                continue
            name = criterion["scale"]
            if not isinstance(name, str) or name not in scales:
                raise ValueError(f"criterion {criterion.get('code')}: unknown scale {name!r}")
            if criterion.get("options"):
                raise ValueError(f"criterion {criterion.get('code')}: give a scale or options, not both")
            criterion["options"] = scales[name]
        no = data.get("screening_no") or {"vi": "Không", "en": "No"}
        for criterion in _raw_criteria(data):
            if criterion.get("kind") == Kind.LEVEL.value and isinstance(criterion.get("options"), list):
                criterion["options"] = [{"code": NO, "points": 0, "label": no}, *criterion["options"]]
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
        percents = [b.percent for b in self.pillar_bands]
        if percents != sorted(set(percents)):
            problems.append("pillar_bands percent must increase with the level")
        if self.rescores is not None and self.rescores >= self.version:
            problems.append("rescores must name an earlier version")
        shared = {f.code for f in self.figures}
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
                problems.extend(criterion_problems(pillar.code, criterion))
                total += criterion_max(criterion)
                if criterion.base is not None and criterion.base not in shared:
                    problems.append(
                        f"pillar {pillar.code}, criterion {criterion.code}: unknown base {criterion.base}"
                    )
            for component in pillar.components:
                points = sum(criterion_max(c) for c in component.criteria)
                if points != component.max_points:
                    problems.append(
                        f"component {component.code}: max_points is {component.max_points}"
                        f" but its criteria add up to {points}"
                    )
            if total != pillar.max_points:
                problems.append(
                    f"pillar {pillar.code}: max_points is {pillar.max_points}"
                    f" but its criteria add up to {total}"
                )
        for kind, codes in (
            ("pillar", Counter(p.code for p in self.pillars)),
            ("component", Counter(c.code for p in self.pillars for c in p.components)),
            ("criterion", seen),
            ("shared figure", Counter(f.code for f in self.figures) + Counter(set(seen) & shared)),
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

    def figure(self, code: str) -> SharedFigure:
        return next(f for f in self.figures if f.code == code)

    def applicable(self, pillar: Pillar, criterion: Criterion, profile: Profile | None) -> bool:
        """Whether ``criterion`` (with its component and pillar) applies to ``profile``."""
        if profile is None:
            return True
        component = pillar.component_of(criterion.code)
        return all(
            rule is None or rule.applies(profile)
            for rule in (pillar.applies_to, component.applies_to if component else None, criterion.applies_to)
        )

    def question_signature(self) -> str:
        """A digest of what is asked (codes, kinds, options, figures), not how it is scored:
        two versions with the same signature can re-score each other's answers."""
        asked = {
            "figures": sorted(f.code for f in self.figures),
            "technologies": sorted(t.code for t in self.technologies),
            "criteria": [
                [c.code, c.kind.value, sorted(o.code for o in c.options), c.base, c.denominator is not None]
                for _, c in self.criteria()
            ],
        }
        return canonical_hash(asked)


def _raw_criteria(data: dict) -> list[dict]:
    """The criteria dicts of a raw definition, inside components or not."""
    found = []
    pillars = data.get("pillars")
    for pillar in pillars if isinstance(pillars, list) else []:
        if not isinstance(pillar, dict):
            continue
        lists = [pillar.get("criteria")]
        components = pillar.get("components")
        lists += (
            [c.get("criteria") for c in components if isinstance(c, dict)]
            if isinstance(components, list)
            else []
        )
        for criteria in lists:
            found += [c for c in criteria if isinstance(c, dict)] if isinstance(criteria, list) else []
    return found


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
