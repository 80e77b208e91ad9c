"""Kinds of business the survey covers, the identifier each kind uses, and the two
populations a wave and a statistic are for.

Since 1 July 2025 (Circular 86/2024/TT-BTC, Art. 5 cl. 1(b) and 5, Art. 38 cl. 2) a household
or individual business uses its representative's 12-digit personal identification number as
its tax code; enterprises and cooperatives keep their 10-digit tax code and a branch its
13-character dependent-unit code (``../shared/context/frameworks/identifiers-and-context.md``).
"""

from __future__ import annotations

from enum import StrEnum


class BusinessKind(StrEnum):
    ENTERPRISE = "enterprise"
    BRANCH = "branch"
    COOPERATIVE = "cooperative"
    HOUSEHOLD = "household"
    INDIVIDUAL = "individual"


class IdType(StrEnum):
    #: Enterprise or cooperative tax code: 10 digits, the last a check digit.
    MST10 = "mst10"
    #: A branch's or dependent unit's code: the parent's 10 digits, a hyphen, 001–999.
    MST13 = "mst13"
    #: The representative's 12-digit personal identification number (no check digit).
    CCCD12 = "cccd12"


class Population(StrEnum):
    """Which part of the city a wave or a figure describes."""

    ENTERPRISES = "enterprises"
    HOUSEHOLDS = "households"


ID_TYPE: dict[BusinessKind, IdType] = {
    BusinessKind.ENTERPRISE: IdType.MST10,
    BusinessKind.COOPERATIVE: IdType.MST10,
    BusinessKind.BRANCH: IdType.MST13,
    BusinessKind.HOUSEHOLD: IdType.CCCD12,
    BusinessKind.INDIVIDUAL: IdType.CCCD12,
}

POPULATION: dict[BusinessKind, Population] = {
    BusinessKind.ENTERPRISE: Population.ENTERPRISES,
    BusinessKind.BRANCH: Population.ENTERPRISES,
    BusinessKind.COOPERATIVE: Population.ENTERPRISES,
    BusinessKind.HOUSEHOLD: Population.HOUSEHOLDS,
    BusinessKind.INDIVIDUAL: Population.HOUSEHOLDS,
}

#: Kinds identified by a personal ID: the identifier is personal data (Law 91/2025/QH15).
PERSONAL_KINDS = frozenset(k for k, t in ID_TYPE.items() if t is IdType.CCCD12)
#: What a wave is for when nobody said otherwise (the waves before household businesses).
ENTERPRISE_KINDS = tuple(k for k in BusinessKind if POPULATION[k] is Population.ENTERPRISES)
ALL_KINDS = tuple(BusinessKind)


def id_type_of(kind: BusinessKind | str) -> IdType:
    return ID_TYPE[BusinessKind(kind)]


def population_of(kind: BusinessKind | str | None) -> Population | None:
    return POPULATION[BusinessKind(kind)] if kind else None


def is_personal(kind: BusinessKind | str | None) -> bool:
    return kind is not None and BusinessKind(kind) in PERSONAL_KINDS
