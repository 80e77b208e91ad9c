"""The dashboard's charts by name: what each one draws, for the page and for its download.

One definition per chart, so the chart on the page and the SVG or PNG a report is made
of are the same drawing: the page shows ``charts(board)`` inline, the download route
renders one of them on its own (with its title, the wave and the filters written on it,
since a picture pasted into a report has no page around it).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from survey.dashboard import charts as geometry
from survey.dashboard.estimates import firms as estimated
from survey.dashboard.figures import Dashboard
from survey.i18n import current_language, group_label
from survey.labels import DIMENSION

#: The sort orders a breakdown's groups may be shown in.
SORTS = ("key", "n", "engaged")


@dataclass(frozen=True)
class Chart:
    #: Its name in URLs: "pillars", "levels", "technologies", "by-<dimension>".
    name: str
    title: str
    desc: str
    drawing: dict


def _pct(value: float | None) -> str:
    return "–" if value is None else format_percent(value, "0.0%")


def weighted(group: dict, tier: str | None) -> dict | None:
    """A group's population estimate of ``tier`` (post-stratified inside the group, with
    the firms it stands for), or None: suppressed, or nothing to weight it by."""
    figures = group.get("weighted")
    if tier is None or not figures:
        return None
    return figures["tiers"].get(tier)


def sorted_groups(groups: list[dict], sort: str, tier: str | None) -> list[dict]:
    """A breakdown's groups by name (as stored), by responses, or by the first tier's
    population estimate (the figure the page shows)."""
    if sort == "n":
        return sorted(groups, key=lambda g: -g["n"])
    if sort == "engaged" and tier is not None:

        def share(g: dict) -> float | None:
            e = weighted(g, tier)
            return None if e is None else e["estimate"]

        return sorted(groups, key=lambda g: (share(g) is None, -(share(g) or 0)))
    return groups


def _pillars(board: Dashboard, framework) -> Chart:
    lang = current_language()
    names = {p.code: p.name.get(lang) for p in framework.pillars}
    items = [
        (
            names[code],
            None if mean is None else mean / 100,
            None,
            None,
            "–" if mean is None else f"{format_decimal(mean, '0.0')}%",
        )
        for code, mean in board.pillars
    ]
    return Chart(
        "pillars",
        _("Mean percent of the maximum, by pillar"),
        _(
            "Average score of the responding enterprises in each pillar, weakest first; "
            "the table below gives the figures."
        ),
        geometry.bars(items),
    )


def _levels(board: Dashboard, framework) -> Chart:
    lang = current_language()
    total = board.overall["n"]
    items = []
    for lv in framework.levels:
        count = board.levels.get(str(lv.level), 0)
        share = count / total if total else None
        items.append(
            (f"{lv.level} {lv.name.get(lang)}", share, None, None, f"{format_decimal(count)} ({_pct(share)})")
        )
    return Chart(
        "levels",
        _("Enterprises by overall level"),
        _("Number and share of responding enterprises at each level from 0 to 5."),
        geometry.bars(items),
    )


def _technologies(board: Dashboard, framework) -> Chart:
    lang = current_language()
    total = board.overall["n"]
    items = []
    for t in framework.technologies:
        count = board.technologies.get(t.code, 0)
        share = count / total if total else None
        items.append((t.label.get(lang), share, None, None, f"{format_decimal(count)} ({_pct(share)})"))
    return Chart(
        "technologies",
        _("Enterprises using each technology"),
        _("Number and share of responding enterprises that use each technology."),
        geometry.bars(items),
    )


def _breakdown(board: Dashboard, dimension: str, groups: list[dict], sort: str) -> Chart:
    tier = board.tiers[0] if board.tiers else None
    items = []
    for g in sorted_groups(groups, sort, tier):
        e = weighted(g, tier) or {"estimate": None, "ci_low": None, "ci_high": None}
        if g["suppressed"]:
            text = _("too few")
        else:
            register = (g.get("weighted") or {}).get("register")
            count = estimated(e["estimate"], None, None, register)
            text = (
                _pct(e["estimate"])
                if count is None
                else f"{_pct(e['estimate'])} (≈ {format_decimal(count.estimate)})"
            )
        items.append(
            (
                group_label(dimension, g["key"], g.get("label")),
                e["estimate"],
                e["ci_low"],
                e["ci_high"],
                text,
            )
        )
    name = str(DIMENSION.get(dimension, dimension))
    return Chart(
        f"by-{dimension}",
        _("Share engaged in Industry 4.0 by %(dim)s", dim=name),
        _(
            "Bars show the estimated share of the group's firms engaged (a population estimate, "
            "weighted inside each group to its register), lines its %(level)s interval; beside it "
            "(≈) the firms of the register it stands for; groups with too few responses have no bar.",
            level="95%",
        ),
        geometry.bars(items),
    )


def charts(board: Dashboard, framework, sort: str = "key") -> dict[str, Chart]:
    """Every chart of ``board``, by name, in the order the page shows them."""
    out = {"pillars": _pillars(board, framework), "levels": _levels(board, framework)}
    for dimension, groups in board.breakdowns.items():
        chart = _breakdown(board, dimension, groups, sort if sort in SORTS else "key")
        out[chart.name] = chart
    if board.technologies:
        out["technologies"] = _technologies(board, framework)
    return out


def breakdown_of(name: str) -> str | None:
    """The dimension a chart's name is a breakdown by ("by-sector" → "sector")."""
    return name[3:] if name.startswith("by-") else None
