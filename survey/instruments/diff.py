"""What changed between two versions of an instrument, for the staff member who publishes.

Pure: two validated frameworks (or two modules) in, a list of ``Change`` out, each naming
the criterion or question, what kind of change it is, and the text or figures before and
after, so the page can say "criterion AB01 reworded" with both wordings beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from survey.modules.definition import Module
from survey.scoring import Framework


class What(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "reworded"
    POINTS = "points"
    MOVED = "moved"
    RULES = "rules"


@dataclass(frozen=True)
class Change:
    what: What
    #: The criterion, question, pillar or rule set concerned.
    code: str
    #: The Vietnamese and English text of the item (the new one, or the removed one).
    label: dict
    before: str | None = None
    after: str | None = None


_NO_TEXT = {"vi": "", "en": ""}


def _text(text) -> dict:
    return {"vi": text.vi, "en": text.en} if text is not None else dict(_NO_TEXT)


def _wording(criterion) -> tuple:
    """Everything a respondent reads of a criterion, in both languages."""
    parts = [criterion.text, criterion.question, criterion.prompt, criterion.numerator, criterion.denominator]
    parts += [o.label for o in criterion.options]
    return tuple((p.vi, p.en) for p in parts if p is not None)


def _points(criterion) -> str:
    options = ", ".join(f"{o.code}={o.points}" for o in criterion.options)
    bands = ", ".join(f">{b.percent:g}%={b.points}" for b in criterion.bands)
    pieces = [p for p in (options, bands) if p]
    if criterion.max_points is not None:
        pieces.append(f"max {criterion.max_points}")
    return "; ".join(pieces)


def frameworks(old: Framework, new: Framework) -> list[Change]:
    """Criteria added, removed, reworded, moved between pillars or re-pointed; pillars whose
    maximum changed; and the level rules (levels, bands, overall rules, tiers) if changed."""
    before = {c.code: (p, c) for p, c in old.criteria()}
    after = {c.code: (p, c) for p, c in new.criteria()}
    changes: list[Change] = []
    for code, (pillar, criterion) in after.items():
        if code not in before:
            changes.append(Change(What.ADDED, code, _text(criterion.text), after=_points(criterion)))
            continue
        old_pillar, old_criterion = before[code]
        label = _text(criterion.text)
        if _wording(old_criterion) != _wording(criterion):
            changes.append(
                Change(What.REWORDED, code, label, before=old_criterion.text.vi, after=criterion.text.vi)
            )
        if old_pillar.code != pillar.code:
            changes.append(Change(What.MOVED, code, label, before=old_pillar.code, after=pillar.code))
        if _points(old_criterion) != _points(criterion):
            changes.append(
                Change(What.POINTS, code, label, before=_points(old_criterion), after=_points(criterion))
            )
    for code, (_pillar, criterion) in before.items():
        if code not in after:
            changes.append(Change(What.REMOVED, code, _text(criterion.text), before=_points(criterion)))
    old_pillars = {p.code: p for p in old.pillars}
    for pillar in new.pillars:
        earlier = old_pillars.get(pillar.code)
        if earlier is not None and earlier.max_points != pillar.max_points:
            changes.append(
                Change(
                    What.POINTS,
                    pillar.code,
                    _text(pillar.name),
                    before=f"max {earlier.max_points}",
                    after=f"max {pillar.max_points}",
                )
            )
    for name in ("levels", "pillar_bands", "overall_rules", "tiers", "band_comparison"):
        was, now = getattr(old, name), getattr(new, name)
        if _dump(was) != _dump(now):
            changes.append(Change(What.RULES, name, _NO_TEXT, before=_brief(was), after=_brief(now)))
    return changes


def modules(old: Module, new: Module) -> list[Change]:
    """Questions added, removed or reworded (their text, scale or options)."""
    before = {q.code: q for q in old.questions}
    after = {q.code: q for q in new.questions}
    changes: list[Change] = []
    for code, question in after.items():
        if code not in before:
            changes.append(Change(What.ADDED, code, _text(question.text)))
        elif _dump(before[code]) != _dump(question):
            was, now = before[code].text.vi, question.text.vi
            changes.append(Change(What.REWORDED, code, _text(question.text), before=was, after=now))
    for code, question in before.items():
        if code not in after:
            changes.append(Change(What.REMOVED, code, _text(question.text)))
    if _dump(old.scales) != _dump(new.scales):
        changes.append(Change(What.RULES, "scales", _NO_TEXT))
    return changes


def between(old, new) -> list[Change]:
    return frameworks(old, new) if isinstance(new, Framework) else modules(old, new)


def _dump(value):
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _brief(value) -> str:
    """A one-line account of a rule set: numbers only, the names are shown elsewhere."""
    dumped = _dump(value)
    if not isinstance(dumped, list):
        return str(dumped)
    rows = []
    for item in dumped:
        numbers = {k: v for k, v in item.items() if v is not None and not isinstance(v, dict)}
        rows.append(", ".join(f"{k} {v}" for k, v in numbers.items()))
    return " | ".join(rows)
