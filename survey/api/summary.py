"""The public summary as data: the figures of /summary, in both languages, and as CSV rows.

Nothing is computed here. The wave is the one /summary shows
(survey.main.services.latest_wave_with_answers) and the figures are that page's own,
from its cache (survey.main.summary.board): the same breakdowns (PUBLIC_SUMMARY), the
same minimum group, the same suppression (survey.dashboard.figures marks the small
groups, survey.statistics.modules blanks the modules' small figures). This module only
writes down what the page shows, so what the page leaves out (a small group's shares and
weighted figures, group counts by level) is not here either. A suppressed group keeps its
n, as on the page. Each group shown has its population estimate (``weighted``:
post-stratified inside the group, with the firms it stands for) beside the respondents'
own shares; a unit the page gives a model-based estimate has it as ``model_based``,
labelled so, never beside a direct figure.

The CSV has one row per figure (tidy, for open-data portals): the JSON document read
row by row, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey import i18n
from survey.dashboard import figures
from survey.frameworks import framework_of
from survey.main import services, summary
from survey.statistics import modules as module_stats

LANGUAGES = ("vi", "en")


def board(session: Session) -> figures.Dashboard | None:
    """The public summary's figures, or None when /summary has none to show."""
    if not current_app.config["PUBLIC_SUMMARY"]:
        return None
    wave = services.latest_wave_with_answers()
    return None if wave is None else summary.board(session, wave)


def _both(say: Callable[[], object]) -> dict[str, str]:
    """What ``say`` says in each language (a gettext call, or a label table's lazy text)."""
    said = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            said[lang] = str(say())
    return said


def _text(value) -> dict[str, str]:
    return {"vi": value.vi, "en": value.en}


def _group_label(dimension: str, key, label: dict | None) -> dict[str, str]:
    return _both(lambda: i18n.group_label(dimension, key, label))


def _method(board: figures.Dashboard) -> dict:
    return {
        "counted": _both(
            lambda: _("Responses count once submitted, unless review rejected them; drafts never count.")
        ),
        "estimate": _both(
            lambda: _(
                "Shares for the register's businesses are post-stratified by %(strata)s (each "
                "cell weighted by its firms in the register), with Wilson 95%% intervals at "
                "Kish's effective sample size. Respondents' own shares have Wilson intervals; "
                "pillar means are the respondents' mean percent of each pillar's maximum.",
                strata=" × ".join(
                    str(i18n.DIMENSION_LABELS.get(s, s)) for s in board.population["strata_by"]
                ),
            )
        ),
        "groups": _both(
            lambda: _(
                "Each group's estimate is post-stratified inside the group on the remaining "
                "strata, with its Wilson %(level)s interval at the group's effective sample "
                "size; the firms it stands for are the share times the group's register.",
                level="95%",
            )
        ),
        "model_based": _both(lambda: _model_text(board)),
        "strata_by": list(board.population["strata_by"]),
        "confidence": 0.95,
        "min_group": board.min_group,
        "model_min_register": board.model_min_register,
    }


def _model_text(board: figures.Dashboard) -> str:
    """The page's own explanation of a model-based estimate (the dashboard's words)."""
    firms = board.model_min_register
    return _(
        "A unit with fewer than %(n)s responses and at least %(firms)s firms in the register "
        "gets a model-based estimate instead of a direct one: it borrows strength from the "
        "former district and the unit's mix of sectors and sizes. It is not the share of the "
        "unit's own answers, and its interval is wide; a unit with enough responses always "
        "shows its direct estimate.",
        n=board.min_group,
        firms="–" if firms is None else format_decimal(firms),
    )


def _estimate(e) -> dict:
    return {"estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _module_group(mf: module_stats.ModuleFigures, group: module_stats.Group, dimension: str | None) -> dict:
    module = mf.module
    shown = not group.suppressed
    return {
        "key": None if dimension is None else _key(group.key),
        "label": None if dimension is None else _group_label(dimension, group.key, group.label),
        "n": group.n,
        "suppressed": group.suppressed,
        "ratings": [
            {
                "question": r.question,
                "section": r.section,
                "text": _text(module.question(r.question).text),
                "n": r.n,
                "suppressed": r.suppressed,
                "mean": r.mean,
                "high_share": r.high_share,
                "weighted_mean": _estimate(r.weighted_mean),
                "weighted_high": _estimate(r.weighted_high),
            }
            for r in (group.ratings if shown else ())
        ],
        "options": [
            {
                "question": o.question,
                "option": o.option,
                "label": _text(module.question(o.question).option(o.option).label),
                "n": o.n,
                "suppressed": o.suppressed,
                "count": o.count,
                "share": o.share,
                "weighted": _estimate(o.weighted),
            }
            for o in (group.options if shown else ())
        ],
    }


def _key(key) -> str | None:
    return None if key is None else str(getattr(key, "value", key))


def _module(mf: module_stats.ModuleFigures) -> dict:
    return {
        "code": mf.code,
        "version": mf.version,
        "title": _text(mf.module.title),
        "high_from": mf.high_from,
        "highest": mf.highest,
        "overall": _module_group(mf, mf.overall, None),
        "breakdowns": [
            {
                "dimension": dimension,
                "label": _both(lambda d=dimension: i18n.DIMENSION_LABELS.get(d, d)),
                "groups": [_module_group(mf, g, dimension) for g in groups],
            }
            for dimension, groups in mf.breakdowns.items()
        ],
    }


_FIGURES = ("estimate", "ci_low", "ci_high", "firms", "firms_low", "firms_high")


def _weighted(group: dict, tiers: list[str]) -> dict | None:
    """The group's population estimate as the page shows it: none for a suppressed group."""
    weighted = group.get("weighted")
    if group["suppressed"] or not weighted:
        return None
    return {
        "register": weighted["register"],
        "respondents": weighted["respondents"],
        "effective_n": weighted["effective_n"],
        "coverage": weighted["coverage"],
        "tiers": {t: {k: weighted["tiers"][t][k] for k in _FIGURES} for t in tiers},
    }


def _model_based(dimension: str, group: dict, tiers: list[str]) -> dict | None:
    """A unit's model-based estimate, where the page gives one: only a suppressed unit's
    (survey.dashboard.figures gives it to none other), labelled as what it is."""
    model = group.get("model_based")
    if dimension != "unit" or not group["suppressed"] or not model:
        return None
    return {
        "method": model["method"],
        "label": _both(lambda: _("Model-based estimate")),
        "register": model["register"],
        "respondents": model["respondents"],
        "tiers": {t: {k: model["tiers"][t][k] for k in _FIGURES} for t in tiers},
    }


def _group(dimension: str, group: dict, tiers: list[str], pillars: list[str]) -> dict:
    return {
        "key": _key(group["key"]),
        "label": _group_label(dimension, group["key"], group.get("label")),
        "n": group["n"],
        "suppressed": group["suppressed"],
        "tiers": {t: {k: group["tiers"][t][k] for k in ("share", "ci_low", "ci_high")} for t in tiers},
        "weighted": _weighted(group, tiers),
        "model_based": _model_based(dimension, group, tiers),
        "pillar_means": {p: group["pillar_means"].get(p) for p in pillars},
    }


def as_json(board: figures.Dashboard) -> dict:
    """The summary's figures as the API gives them (survey.api.figure_schemas.PublicSummarySchema)."""
    wave = board.wave
    framework = framework_of(wave.framework_version)
    population = board.population
    n = board.overall["n"]
    tiers = list(board.tiers)
    pillars = [p.code for p in framework.pillars]
    pillar_names = {p.code: _text(p.name) for p in framework.pillars}
    return {
        "wave": {"id": wave.id, "name": wave.name, "year": wave.year},
        "framework": {
            "code": framework.code,
            "version": framework.version,
            "title": _text(framework.title),
            "provisional": _text(framework.provisional) if framework.provisional else None,
        },
        "method": _method(board),
        "kinds": list(board.kinds),
        "populations": list(board.populations),
        "headline": {
            "register_size": population["register_size"],
            "responses": n,
            "response_rate": board.response_rate,
            "coverage": population["coverage"],
            "tiers": [
                {
                    "code": t.code,
                    "name": _text(t.name),
                    **population["tiers"][t.code],
                    "respondents_share": board.overall["tiers"][t.code]["share"],
                }
                for t in framework.tiers
            ],
        },
        "pillars": [
            {"code": code, "name": pillar_names[code], "mean_percent": mean} for code, mean in board.pillars
        ],
        "levels": [
            {"level": lv.level, "name": _text(lv.name), "count": board.levels.get(str(lv.level), 0)}
            for lv in framework.levels
        ],
        "breakdowns": [
            {
                "dimension": dimension,
                "label": _both(lambda d=dimension: i18n.DIMENSION_LABELS.get(d, d)),
                "groups": [_group(dimension, g, tiers, pillars) for g in groups],
            }
            for dimension, groups in board.breakdowns.items()
        ],
        "technologies": [
            {"code": t.code, "label": _text(t.label), "count": board.technologies.get(t.code, 0)}
            for t in framework.technologies
        ],
        "reference": list(board.reference),
        "modules": [_module(mf) for mf in board.modules],
    }


# --- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "wave_id",
    "wave_name",
    "framework",
    "framework_version",
    "section",
    "dimension",
    "group",
    "group_vi",
    "group_en",
    "item",
    "item_vi",
    "item_en",
    "measure",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "suppressed",
)


def csv_rows(data: dict) -> Iterator[tuple]:
    """The rows of the CSV (after ``CSV_HEADER``), from ``as_json``'s document.

    ``measure`` says what ``value`` is: ``estimated_share`` (post-stratified for the
    register's businesses: the whole, or inside a breakdown's group), ``estimated_firms``
    (a group's estimate times its register), ``respondents_share``, ``model_based_share``
    and ``model_based_firms`` (a unit's model-based estimate, never a direct figure),
    ``mean_percent`` (of a pillar's maximum), ``count``, and for the modules
    ``weighted_mean``, ``weighted_high_share``, ``mean``, ``high_share``,
    ``weighted_share``, ``share``.
    """
    wave, framework = data["wave"], data["framework"]
    lead = (wave["id"], wave["name"], framework["code"], framework["version"])

    def row(
        section, dimension, group, item, item_label, measure, value, low=None, high=None, n=None, hidden=False
    ):
        group_key, group_label = group if group else ("", {"vi": "", "en": ""})
        return (
            *lead,
            section,
            dimension or "",
            "" if group_key is None else group_key,
            group_label["vi"],
            group_label["en"],
            item,
            item_label["vi"],
            item_label["en"],
            measure,
            value,
            low,
            high,
            n,
            hidden,
        )

    head = data["headline"]
    for t in head["tiers"]:
        yield row(
            "headline",
            None,
            None,
            t["code"],
            t["name"],
            "estimated_share",
            t["estimate"],
            t["ci_low"],
            t["ci_high"],
            head["responses"],
        )
        yield row(
            "headline",
            None,
            None,
            t["code"],
            t["name"],
            "respondents_share",
            t["respondents_share"],
            n=head["responses"],
        )
    for p in data["pillars"]:
        yield row(
            "pillar", None, None, p["code"], p["name"], "mean_percent", p["mean_percent"], n=head["responses"]
        )
    for lv in data["levels"]:
        yield row("level", None, None, lv["level"], lv["name"], "count", lv["count"], n=head["responses"])
    names = {t["code"]: t["name"] for t in head["tiers"]}
    pillar_names = {p["code"]: p["name"] for p in data["pillars"]}
    for b in data["breakdowns"]:
        for g in b["groups"]:
            group = (g["key"], g["label"])
            yield from _group_estimate_rows(row, b["dimension"], group, g, names)
            for code, s in g["tiers"].items():
                yield row(
                    "breakdown",
                    b["dimension"],
                    group,
                    code,
                    names[code],
                    "respondents_share",
                    s["share"],
                    s["ci_low"],
                    s["ci_high"],
                    g["n"],
                    g["suppressed"],
                )
            for code, mean in g["pillar_means"].items():
                yield row(
                    "breakdown",
                    b["dimension"],
                    group,
                    code,
                    pillar_names[code],
                    "mean_percent",
                    mean,
                    n=g["n"],
                    hidden=g["suppressed"],
                )
    for t in data["technologies"]:
        yield row("technology", None, None, t["code"], t["label"], "count", t["count"], n=head["responses"])
    for m in data["modules"]:
        yield from _module_rows(row, m, m["overall"], None)
        for b in m["breakdowns"]:
            for g in b["groups"]:
                yield from _module_rows(row, m, g, b["dimension"])


def _group_estimate_rows(row, dimension: str, group: tuple, g: dict, names: dict) -> Iterator[tuple]:
    """A group's population estimate and the firms it stands for (blank and marked
    suppressed for a suppressed group), then a unit's model-based estimate if it has one."""
    weighted = (g["weighted"] or {}).get("tiers") or {}
    for code in g["tiers"]:
        e = weighted.get(code) or {}
        for measure, value, low, high in (
            ("estimated_share", e.get("estimate"), e.get("ci_low"), e.get("ci_high")),
            ("estimated_firms", e.get("firms"), e.get("firms_low"), e.get("firms_high")),
        ):
            yield row(
                "breakdown",
                dimension,
                group,
                code,
                names[code],
                measure,
                value,
                low,
                high,
                g["n"],
                g["suppressed"],
            )
    model = g.get("model_based")
    if model:
        for code, e in model["tiers"].items():
            for measure, value, low, high in (
                ("model_based_share", e["estimate"], e["ci_low"], e["ci_high"]),
                ("model_based_firms", e["firms"], e["firms_low"], e["firms_high"]),
            ):
                yield row("breakdown", dimension, group, code, names[code], measure, value, low, high, g["n"])


def _module_rows(row, module: dict, group: dict, dimension: str | None) -> Iterator[tuple]:
    section = f"module:{module['code']}:v{module['version']}"
    where = (group["key"], group["label"]) if dimension else None
    if group["suppressed"]:
        yield row(
            section, dimension, where, "", {"vi": "", "en": ""}, "responses", None, n=group["n"], hidden=True
        )
        return
    for r in group["ratings"]:
        item, label, n, hidden = r["question"], r["text"], r["n"], r["suppressed"]
        wm, wh = r["weighted_mean"], r["weighted_high"]
        yield row(
            section,
            dimension,
            where,
            item,
            label,
            "weighted_mean",
            wm["estimate"],
            wm["ci_low"],
            wm["ci_high"],
            n,
            hidden,
        )
        yield row(
            section,
            dimension,
            where,
            item,
            label,
            "weighted_high_share",
            wh["estimate"],
            wh["ci_low"],
            wh["ci_high"],
            n,
            hidden,
        )
        yield row(section, dimension, where, item, label, "mean", r["mean"], n=n, hidden=hidden)
        yield row(section, dimension, where, item, label, "high_share", r["high_share"], n=n, hidden=hidden)
    for o in group["options"]:
        item, label, n, hidden = f"{o['question']}:{o['option']}", o["label"], o["n"], o["suppressed"]
        w = o["weighted"]
        yield row(
            section,
            dimension,
            where,
            item,
            label,
            "weighted_share",
            w["estimate"],
            w["ci_low"],
            w["ci_high"],
            n,
            hidden,
        )
        yield row(section, dimension, where, item, label, "share", o["share"], n=n, hidden=hidden)
