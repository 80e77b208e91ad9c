"""How long an instrument takes a firm, measured from the instrument itself.

The estimate counts what a respondent reads (every question, descriptor, unit and hint
they are shown, in their language) and what they do (one choice per choice question,
looking up and typing each figure). The rates are assumptions, stated in the README:
reading formal text on a phone at 200 words a minute in English and 250 syllables a
minute in Vietnamese (Vietnamese words are counted by syllable, as written); 6 seconds to
choose an answer once read; 45 seconds to find and type a figure the firm keeps in its
books. Shared figures are typed once. The range runs from a firm that answers "no" to
every screening question (it never reads the descriptors) to one that reads them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from survey.scoring.definition import Framework, Kind, Text

WORDS_PER_MINUTE = {"vi": 250, "en": 200}
SECONDS_PER_CHOICE = 6
SECONDS_PER_FIGURE = 45


@dataclass(frozen=True, slots=True)
class Effort:
    questions: int
    figures: int
    words: int
    #: Rounded up to 5 minutes: reading no descriptor, and reading every one.
    minutes_low: int
    minutes: int


def _words(*texts: Text | None, lang: str) -> int:
    return sum(len(t.get(lang).split()) for t in texts if t is not None)


def estimate(framework: Framework, lang: str = "vi") -> Effort:
    """Questions, figures to report, words to read and minutes, rounded up to 5."""
    words = figures = questions = skippable = 0
    for _, criterion in framework.criteria():
        questions += 1
        words += _words(criterion.text, criterion.help, criterion.question, criterion.prompt, lang=lang)
        if criterion.kind is Kind.FIGURE:
            figures += 1 + (criterion.denominator is not None)
            words += _words(criterion.numerator, criterion.denominator, criterion.unit, lang=lang)
        else:
            read = sum(_words(o.label, lang=lang) for o in criterion.options)
            words += read
            if criterion.kind is Kind.LEVEL:
                skippable += read - _words(criterion.options[0].label, lang=lang)
    for figure in framework.figures:
        figures += 1
        words += _words(figure.label, figure.help, lang=lang)
    choices = questions - sum(c.kind is Kind.FIGURE for _, c in framework.criteria())
    rate = WORDS_PER_MINUTE.get(lang, WORDS_PER_MINUTE["en"])
    doing = choices * SECONDS_PER_CHOICE + figures * SECONDS_PER_FIGURE

    def rounded(read: int) -> int:
        return 5 * math.ceil((read * 60 / rate + doing) / 300)

    return Effort(
        questions=questions,
        figures=figures,
        words=words,
        minutes_low=rounded(words - skippable),
        minutes=rounded(words),
    )
