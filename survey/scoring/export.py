"""The framework as JSON for other tools (the ``framework export`` contract).

Everything scoring depends on is here, so a reader can re-implement the scoring from
this alone: components, each criterion's kind and options or %-bands, how bands compare
(``band_comparison``), applicability, shared figures, the pillar bands and overall rules.
"""

from __future__ import annotations

from survey.scoring.definition import Applicability, Criterion, Framework, Kind, criterion_max


def _text(text) -> dict[str, str] | None:
    return None if text is None else {"vi": text.vi, "en": text.en}


def _applies(rule: Applicability | None) -> dict | None:
    if rule is None:
        return None
    return {"entity_types": list(rule.entity_types), "sectors": list(rule.sectors)}


def _criterion(c: Criterion) -> dict:
    item = {
        "code": c.code,
        "text": _text(c.text),
        "kind": c.kind.value,
        "required": c.required,
        "max_points": criterion_max(c),
        "options": [{"code": o.code, "label": _text(o.label), "points": o.points} for o in c.options],
    }
    if c.kind is Kind.LEVEL:
        item.update(question=_text(c.question), prompt=_text(c.prompt))
    if c.kind is Kind.FIGURE:
        item.update(
            numerator=_text(c.numerator),
            denominator=_text(c.denominator),
            base=c.base,
            unit=_text(c.unit),
            bands=[{"above_percent": b.percent, "points": b.points} for b in c.bands],
            provisional=c.provisional,
        )
    if c.note is not None:
        item["note"] = _text(c.note)
    if c.applies_to is not None:
        item["applies_to"] = _applies(c.applies_to)
    return item


def framework_contract(framework: Framework) -> dict:
    return {
        "code": framework.code,
        "version": framework.version,
        "content_hash": framework.content_hash,
        "title": _text(framework.title),
        "wording": framework.wording,
        "provisional": _text(framework.provisional),
        "rescores": framework.rescores,
        "max_points": framework.max_points,
        "band_comparison": framework.band_comparison.value,
        "allows_not_applicable": framework.allows_not_applicable,
        "pillar_bands": [{"level": b.level, "percent": b.percent} for b in framework.pillar_bands],
        "overall_rules": [
            {
                "level": r.level,
                "total_above": r.total_above,
                "min_pillars": r.min_pillars,
                "pillar_level": r.pillar_level,
            }
            for r in framework.overall_rules
        ],
        "levels": [{"level": lv.level, "name": _text(lv.name)} for lv in framework.levels],
        "tiers": [{"code": t.code, "min_level": t.min_level, "name": _text(t.name)} for t in framework.tiers],
        "figures": [
            {"code": f.code, "label": _text(f.label), "unit": _text(f.unit)} for f in framework.figures
        ],
        "pillars": [
            {
                "code": pillar.code,
                "name": _text(pillar.name),
                "max_points": pillar.max_points,
                "applies_to": _applies(pillar.applies_to),
                "components": [
                    {
                        "code": k.code,
                        "name": _text(k.name),
                        "max_points": k.max_points,
                        "applies_to": _applies(k.applies_to),
                        "criteria": [c.code for c in k.criteria],
                    }
                    for k in pillar.components
                ],
                "criteria": [_criterion(c) for c in pillar.criteria],
            }
            for pillar in framework.pillars
        ],
        "technologies": [{"code": t.code, "label": _text(t.label)} for t in framework.technologies],
    }
