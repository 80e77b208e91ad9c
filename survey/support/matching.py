"""Which programmes of the support catalogue fit a firm, and in what order. Pure.

A programme fits a firm when it is active, runs today, and every list it fills in fits
(an empty list serves everyone, see ``SupportProgramme``):

- ``sizes``: the firm's size class is one of them;
- ``kinds``: the firm's kind of business is one of them;
- ``needs``: the firm ticked at least one of them (a firm that ticked none, or whose wave
  asked no needs, is served by programmes without a needs list only);
- ``pillars`` and ``levels`` together: one of the pillars is at one of the levels; with
  pillars alone, any level of them; with levels alone, the firm's overall level.

Order: programmes serving a need the firm ticked first (it asked for them), then those for
its weakest pillar (where the result page tells it to start), then the rest; by name
within each group, so that the order never depends on the order rows were read in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from fractions import Fraction
from typing import Generic, Protocol, TypeVar
from unicodedata import normalize


class Programme(Protocol):
    """What matching reads of a programme (``SupportProgramme`` has it)."""

    id: int | None
    name: str
    active: bool
    pillars: Sequence[str]
    levels: Sequence[int]
    sizes: Sequence[str]
    kinds: Sequence[str]
    needs: Sequence[str]
    starts_on: date | None
    ends_on: date | None


class Scored(Protocol):
    """A pillar's score: ``PillarScore`` of a scorecard or a stored ``ResponsePillarScore``."""

    @property
    def points(self) -> int: ...
    @property
    def max_points(self) -> int: ...


P = TypeVar("P", bound=Programme)


@dataclass(frozen=True)
class FirmFacts:
    """What matching knows of a firm: its scorecard's levels, profile and ticked needs."""

    overall_level: int | None
    #: Pillar code → level (0-5).
    pillar_levels: Mapping[str, int] = field(default_factory=dict)
    size_class: str | None = None
    kind: str | None = None
    #: Option codes of the needs checklist the firm ticked.
    needs: frozenset[str] = frozenset()
    #: The pillar the result page says to start with (``weakest_pillar``).
    weakest: str | None = None


class Why(IntEnum):
    """Why a programme comes where it does; the value is its rank."""

    NEED = 0
    WEAKEST = 1
    OTHER = 2


@dataclass(frozen=True)
class Match(Generic[P]):
    programme: P
    #: The firm's ticked needs the programme serves, in the programme's order.
    needs: tuple[str, ...] = ()
    #: Whether the programme serves the firm's weakest pillar at its level.
    for_weakest: bool = False

    @property
    def why(self) -> Why:
        if self.needs:
            return Why.NEED
        return Why.WEAKEST if self.for_weakest else Why.OTHER


def _share(pillar: Scored) -> Fraction:
    # The result page's rule (survey.respondent.advice): the exact share of the maximum; a
    # pillar where nothing applied has nothing to start on and goes last.
    return Fraction(pillar.points, pillar.max_points) if pillar.max_points else Fraction(2)


def weakest_pillar(pillars: Iterable[tuple[str, Scored]]) -> str | None:
    """The code of the pillar with the lowest share of its maximum, the first on ties.

    ``pillars`` are (code, score) in the framework's order: the same pillar the result
    page's advice puts first ("start here").
    """
    weakest: tuple[Fraction, str] | None = None
    for code, score in pillars:
        share = _share(score)
        if weakest is None or share < weakest[0]:
            weakest = (share, code)
    return weakest[1] if weakest else None


def runs_on(programme: Programme, today: date) -> bool:
    """Whether ``programme`` runs on ``today`` (an open end runs for ever)."""
    return (programme.starts_on is None or programme.starts_on <= today) and (
        programme.ends_on is None or today <= programme.ends_on
    )


def _pillar_fits(programme: Programme, facts: FirmFacts, pillar: str) -> bool:
    level = facts.pillar_levels.get(pillar)
    return level is not None and (not programme.levels or level in programme.levels)


def _levels_fit(programme: Programme, facts: FirmFacts) -> bool:
    if programme.pillars:
        return any(_pillar_fits(programme, facts, p) for p in programme.pillars)
    if programme.levels:
        return facts.overall_level is not None and facts.overall_level in programme.levels
    return True


def served_needs(programme: Programme, facts: FirmFacts) -> tuple[str, ...]:
    """The needs the firm ticked that ``programme`` serves, in the programme's order."""
    return tuple(n for n in programme.needs if n in facts.needs)


def fits(programme: Programme, facts: FirmFacts) -> bool:
    """Whether every list ``programme`` fills in fits the firm (dates and state aside)."""
    return (
        (not programme.sizes or facts.size_class in programme.sizes)
        and (not programme.kinds or facts.kind in programme.kinds)
        and (not programme.needs or bool(served_needs(programme, facts)))
        and _levels_fit(programme, facts)
    )


def match(programme: P, facts: FirmFacts) -> Match[P]:
    """Why ``programme`` (which fits) fits the firm."""
    weakest = facts.weakest
    return Match(
        programme=programme,
        needs=served_needs(programme, facts),
        for_weakest=weakest is not None
        and weakest in programme.pillars
        and _pillar_fits(programme, facts, weakest),
    )


#: Vietnamese tone marks (grave, acute, tilde, hook above, dot below): a name sorts by its
#: letters first, its tones only break ties.
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))


def name_key(name: str) -> tuple[str, str]:
    """How programme names sort: close to the Vietnamese alphabet's order, without a
    locale. Decomposed, a letter with a breve, circumflex or horn (ă, â, ê, ô, ơ, ư) comes
    after its base letter and before the next; đ is written as d and a mark to do the same."""
    letters = normalize("NFD", name.casefold()).translate(_TONES).replace("đ", "d\u0335")
    return letters, name


def _order(found: Match) -> tuple:
    return (found.why, *name_key(found.programme.name), found.programme.id or 0)


def matches(programmes: Iterable[P], facts: FirmFacts, today: date) -> list[Match[P]]:
    """The active programmes running ``today`` that fit the firm, best first (see above)."""
    found = [match(p, facts) for p in programmes if p.active and runs_on(p, today) and fits(p, facts)]
    return sorted(found, key=_order)
