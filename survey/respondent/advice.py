"""What the result page advises a firm, built once for the page and its PDF.

- The pillars **weakest first** (the lowest share of its maximum; ties in the framework's
  order), so that "start here" is where the firm has most to gain.
- Each pillar's recommendation **for the firm's size class** (a household or individual
  business gets the household text, and the micro one where the framework writes none:
  ``survey.scoring.definition.SIZE_FALLBACK``).
- The firm's **own words**: every barrier of the ``barriers-needs`` module it rated at or
  above the module's ``high_from`` adds its advice under each pillar the barrier names, and
  a pillar it ticked a need for says so. A firm whose wave carries no module gets the
  framework's advice alone.
- How it stands **against similar firms**, per pillar and in total, said as above, about
  the same or below (see ``standing`` for what "about the same" means).

Pure: no database, no request; the caller passes what it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from survey.models.business import BusinessKind, is_personal
from survey.models.size_class import SizeClass
from survey.modules import answers as module_answers
from survey.modules.definition import Module
from survey.respondent.services import PEER_PERCENT_STEP
from survey.scoring import Framework, Scorecard
from survey.scoring.criteria import Text
from survey.scoring.definition import Pillar
from survey.scoring.scorecard import PillarScore

#: The module whose ratings are barriers and whose checklist is the firm's needs. Other
#: modules' high ratings (readiness statements) are strengths, not advice.
BARRIERS_NEEDS = "barriers-needs"

#: The peers' figures as ``services.peer_comparison`` rounds them: the total to whole
#: points, each pillar to 5 % (``PEER_PERCENT_STEP``). Half a step either side of a shown
#: figure is where the true mean may lie.
TOTAL_STEP = 1
PILLAR_STEP = PEER_PERCENT_STEP


class Standing(StrEnum):
    ABOVE = "above"
    SAME = "same"
    BELOW = "below"


def standing(own: float, peers: float, step: float) -> Standing:
    """The firm's figure against the peers' mean as shown, rounded to ``step``.

    The shown mean may be up to half a step away from the true one, so a firm within half
    a step of it is "about the same": saying "above" there could be untrue. Beyond half a
    step the firm is above (or below) the true mean whatever the rounding hid. For the
    total, in whole points, that means only an equal total is "about the same".
    """
    if abs(own - peers) <= step / 2:
        return Standing.SAME
    return Standing.ABOVE if own > peers else Standing.BELOW


def size_key(size_class: SizeClass | str | None, kind: BusinessKind | str | None) -> str | None:
    """The size a recommendation is chosen for. The framework writes recommendations by
    size class only (``SIZE_KEYS``); the kind counts through it: a household or individual
    business is ``household`` even before its size class is derived."""
    if size_class:
        return getattr(size_class, "value", size_class)
    if kind and is_personal(kind):
        return SizeClass.HOUSEHOLD.value
    return None


@dataclass(frozen=True)
class Barrier:
    code: str
    #: The barrier as the module asked it, and the firm's rating of it.
    text: Text
    rating: int
    #: The top of its scale ("4 of 5").
    top: int
    advice: Text


@dataclass(frozen=True)
class PillarAdvice:
    pillar: Pillar
    score: PillarScore
    recommendation: Text
    #: The firm's high-rated barriers that concern this pillar, in the module's order.
    barriers: tuple[Barrier, ...] = ()
    #: Labels of the needs the firm ticked that concern this pillar.
    needs: tuple[Text, ...] = ()
    #: The peers' mean percent as shown (None without a comparison) and where the firm stands.
    peer_percent: int | None = None
    standing: Standing | None = None

    def need_labels(self, lang: str) -> str:
        return "; ".join(label.get(lang) for label in self.needs)


@dataclass(frozen=True)
class Advice:
    #: Weakest first: ``pillars[0]`` is where to start.
    pillars: tuple[PillarAdvice, ...]
    total_standing: Standing | None = None


def _share(score: PillarScore) -> Fraction:
    # Exact, not the rounded percent, so that ties are real ties. A pillar where nothing
    # applied (no maximum) has nothing to start on: it goes last.
    return Fraction(score.points, score.max_points) if score.max_points else Fraction(2)


def _own_words(modules: Iterable[tuple[Module, dict]], pillars: set[str]):
    """(barriers by pillar, need labels by pillar) from the barriers-needs module's answers."""
    barriers: dict[str, list[Barrier]] = {}
    needs: dict[str, list[Text]] = {}
    for module, answers in modules:
        if module.code != BARRIERS_NEEDS:
            continue
        for code in module_answers.high(module, answers):
            question = module.question(code)
            if question.advice is None:
                continue
            top = module.scale(question.scale).top
            barrier = Barrier(code, question.text, answers[code], top, question.advice)
            for pillar in question.pillars:
                if pillar in pillars:
                    barriers.setdefault(pillar, []).append(barrier)
        for question_code, option_code in module_answers.ticked(module, answers):
            option = module.question(question_code).option(option_code)
            for pillar in option.pillars if option else ():
                if pillar in pillars:
                    needs.setdefault(pillar, []).append(option.label)
    return barriers, needs


def build(
    framework: Framework,
    card: Scorecard,
    size: str | None,
    modules: Iterable[tuple[Module, dict]] = (),
    peers=None,
) -> Advice:
    """The advice for a firm of ``size`` (``size_key``) with scorecard ``card``, its
    answers to the wave's ``modules`` ((module, answers) pairs) and ``peers`` (a
    ``services.PeerComparison`` or None)."""
    barriers, needs = _own_words(modules, {p.code for p in framework.pillars})
    items = []
    for pillar, score in zip(framework.pillars, card.pillars, strict=True):
        peer = peers.pillar_means.get(pillar.code) if peers else None
        items.append(
            PillarAdvice(
                pillar=pillar,
                score=score,
                recommendation=pillar.recommendation(score.level, size),
                barriers=tuple(barriers.get(pillar.code, ())),
                needs=tuple(needs.get(pillar.code, ())),
                peer_percent=peer,
                standing=None if peer is None else standing(score.percent, peer, PILLAR_STEP),
            )
        )
    # sorted() is stable: equal shares keep the framework's order.
    ordered = tuple(sorted(items, key=lambda item: _share(item.score)))
    total = None if peers is None else standing(card.total_points, peers.mean_total, TOTAL_STEP)
    return Advice(pillars=ordered, total_standing=total)
