"""Which breakdowns each report shows: data, with the reasons where reports differ.

The summary workbook is the dashboard as a workbook, so it shows the dashboard's
breakdowns, web and command line alike. The public summary deliberately shows fewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey.models.business import POPULATION, BusinessKind


@dataclass(frozen=True)
class Report:
    name: str
    #: Dimension names (survey.reports.dimensions), in the order they are shown.
    breakdowns: tuple[str, ...]
    #: Leave out a breakdown that a filter fixes: it would have one group, the whole
    #: filtered set, which the headline shows already.
    skips_fixed: bool
    why: str

    def shown(
        self, filters: dict | None = None, kinds: Iterable[BusinessKind | str] | None = None
    ) -> tuple[str, ...]:
        """The breakdowns this report shows under ``filters``, for a wave of ``kinds``.

        With ``kinds`` (the kinds of business the figures cover, survey.statistics.rollup.
        kinds_covered), a breakdown that can only have one group is left out by every
        report: by population when the kinds are all of one population, by kind of
        business when there is one kind. Its one group would be the headline again.
        """
        shown = self.breakdowns
        if kinds is not None:
            kinds = [BusinessKind(k) for k in kinds]
            single = {
                "business_kind": len(kinds) <= 1,
                "population": len({POPULATION[k] for k in kinds}) <= 1,
            }
            shown = tuple(by for by in shown if not single.get(by, False))
        if not self.skips_fixed:
            return shown
        return tuple(by for by in shown if by not in (filters or {}))


DASHBOARD = Report(
    "dashboard",
    (
        "population",
        "business_kind",
        "economic_pillar",
        "sector",
        "size_class",
        "ownership",
        "former_area",
        "unit",
    ),
    skips_fixed=False,
    why="Staff look for where support should go: every dimension a firm is described by. "
    "A filtered dimension keeps its table, so the filter's group is seen with its n. "
    "Enterprises and household businesses (the population) come first: a wave for both "
    "is read for each of them.",
)
PUBLIC_SUMMARY = Report(
    "public summary",
    ("population", "business_kind", "economic_pillar", "sector", "size_class", "former_area"),
    skips_fixed=False,
    why="The page is anonymous. Ownership and the 114 commune-level units split the city "
    "into groups so small that most would be suppressed, and those that are not can point "
    "at a handful of known firms (the one state-owned firm of a ward); the broad groups "
    "tell the public what the city's figures say. The population and the kind of "
    "business are broad (five kinds at most), and small ones are suppressed as any group.",
)
SUMMARY_WORKBOOK = Report(
    "summary workbook",
    DASHBOARD.breakdowns,
    skips_fixed=True,
    why="The dashboard as a workbook, one sheet per breakdown; a sheet with a single group "
    "would repeat the overview.",
)
