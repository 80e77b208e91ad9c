"""The framework as JSON for other tools (the ``framework export`` contract)."""

from __future__ import annotations

from survey.scoring.definition import Framework, criterion_max


def _text(text) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en}


def framework_contract(framework: Framework) -> dict:
    return {
        "code": framework.code,
        "version": framework.version,
        "content_hash": framework.content_hash,
        "title": _text(framework.title),
        "max_points": framework.max_points,
        "levels": [{"level": lv.level, "name": _text(lv.name)} for lv in framework.levels],
        "tiers": [{"code": t.code, "min_level": t.min_level, "name": _text(t.name)} for t in framework.tiers],
        "pillars": [
            {
                "code": pillar.code,
                "name": _text(pillar.name),
                "max_points": pillar.max_points,
                "criteria": [
                    {
                        "code": c.code,
                        "text": _text(c.text),
                        "kind": c.kind.value,
                        "max_points": criterion_max(c),
                        "options": [
                            {"code": o.code, "label": _text(o.label), "points": o.points} for o in c.options
                        ],
                    }
                    for c in pillar.criteria
                ],
            }
            for pillar in framework.pillars
        ],
        "technologies": [{"code": t.code, "label": _text(t.label)} for t in framework.technologies],
    }
