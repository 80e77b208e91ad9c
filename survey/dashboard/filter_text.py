"""The filters a figure is under, in words: above the headline, and written on a chart's file."""

from __future__ import annotations

from survey.i18n import group_label
from survey.labels import DIMENSION

#: Filters whose values are codes of a label table (the others carry their names).
_LABELLED = ("economic_pillar", "size_class", "ownership", "population", "business_kind")


def names(choices: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, str]]:
    """Each filter's values by code, in words (survey.reports.filters.choices gives codes
    for the enum filters, names for the sector, unit and area)."""
    return {
        name: {code: group_label(name, code) if name in _LABELLED else text for code, text in options}
        for name, options in choices.items()
    }


def described(filters: dict[str, str], choices: dict[str, list[tuple[str, str]]]) -> str:
    """ "Sector (VSIC): C – …; Size class: Small enterprise", or "" without filters."""
    words = names({name: choices.get(name, []) for name in filters})
    return "; ".join(
        f"{DIMENSION.get(name, name)}: {words.get(name, {}).get(value, value)}"
        for name, value in filters.items()
    )
