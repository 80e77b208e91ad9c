"""Enterprise size classes under Decree 80/2021/NĐ-CP, Article 5.

A firm is in a class when its employees are within the cap AND either its revenue or
its total capital is within the cap. Classes are tried from the smallest up; a firm
above every medium cap is large.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

BILLION = 1_000_000_000


class SizeGroup(StrEnum):
    """The two sector groups Decree 80 sets caps for."""

    INDUSTRY = "industry"  # agriculture, forestry, fishery; industry and construction
    TRADE_SERVICES = "trade_services"


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    #: Household and individual businesses: outside Decree 80, a stratum of their own.
    HOUSEHOLD = "household"


class Caps(NamedTuple):
    employees: int
    revenue_vnd: int
    capital_vnd: int


CAPS: dict[SizeGroup, list[tuple[SizeClass, Caps]]] = {
    SizeGroup.INDUSTRY: [
        (SizeClass.MICRO, Caps(10, 3 * BILLION, 3 * BILLION)),
        (SizeClass.SMALL, Caps(100, 50 * BILLION, 20 * BILLION)),
        (SizeClass.MEDIUM, Caps(200, 200 * BILLION, 100 * BILLION)),
    ],
    SizeGroup.TRADE_SERVICES: [
        (SizeClass.MICRO, Caps(10, 10 * BILLION, 3 * BILLION)),
        (SizeClass.SMALL, Caps(50, 100 * BILLION, 50 * BILLION)),
        (SizeClass.MEDIUM, Caps(100, 300 * BILLION, 100 * BILLION)),
    ],
}


def classify(
    group: SizeGroup | str | None,
    employees: int | None,
    revenue_vnd: int | None,
    capital_vnd: int | None,
) -> SizeClass | None:
    """Return the size class, or None when the group or the employee count is unknown.

    When neither revenue nor capital is known, the class follows employees alone: the
    register often lacks financial figures, and employees are the binding criterion.
    An unknown figure otherwise counts as not within its cap.
    """
    if group is None or employees is None:
        return None
    for size_class, caps in CAPS[SizeGroup(group)]:
        if employees > caps.employees:
            continue
        if revenue_vnd is None and capital_vnd is None:
            return size_class
        if (revenue_vnd is not None and revenue_vnd <= caps.revenue_vnd) or (
            capital_vnd is not None and capital_vnd <= caps.capital_vnd
        ):
            return size_class
    return SizeClass.LARGE
