"""Which breakdowns each report shows: data, with the reasons where reports differ.

The summary workbook is the dashboard as a workbook, so it shows the dashboard's
breakdowns, web and command line alike. The public summary deliberately shows fewer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    name: str
    #: Dimension names (survey.reports.dimensions), in the order they are shown.
    breakdowns: tuple[str, ...]
    #: Leave out a breakdown that a filter fixes: it would have one group, the whole
    #: filtered set, which the headline shows already.
    skips_fixed: bool
    why: str

    def shown(self, filters: dict | None = None) -> tuple[str, ...]:
        """The breakdowns this report shows under ``filters``."""
        if not self.skips_fixed:
            return self.breakdowns
        return tuple(by for by in self.breakdowns if by not in (filters or {}))


DASHBOARD = Report(
    "dashboard",
    ("economic_pillar", "sector", "size_class", "ownership", "former_area", "unit"),
    skips_fixed=False,
    why="Staff look for where support should go: every dimension a firm is described by. "
    "A filtered dimension keeps its table, so the filter's group is seen with its n.",
)
PUBLIC_SUMMARY = Report(
    "public summary",
    ("economic_pillar", "sector", "size_class", "former_area"),
    skips_fixed=False,
    why="The page is anonymous. Ownership and the 114 commune-level units split the city "
    "into groups so small that most would be suppressed, and those that are not can point "
    "at a handful of known firms (the one state-owned firm of a ward); the broad groups "
    "tell the public what the city's figures say.",
)
SUMMARY_WORKBOOK = Report(
    "summary workbook",
    DASHBOARD.breakdowns,
    skips_fixed=True,
    why="The dashboard as a workbook, one sheet per breakdown; a sheet with a single group "
    "would repeat the overview.",
)
