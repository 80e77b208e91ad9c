"""Reported figures (a head count, an amount, a share) as the scorer reads them: exactly.

A figure is stored as the decimal string the firm typed, so that it can be re-scored
exactly; the scorer compares it in whole numbers (``SCALE`` times the figure), and band
edges given in percent as exact fractions, so that "10% of the maximum" has no
floating-point edge.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

#: A reported figure: a non-negative decimal with at most 15 digits before the point and
#: 4 after (a VND amount up to a billion billion, a head count, a share).
FIGURE = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,4})?$")

#: Figures have at most 4 decimals, so 10**4 times a figure is a whole number.
SCALE = 10**4


def is_figure(raw: Any) -> bool:
    """Whether ``raw`` is a reported figure as stored (a decimal string)."""
    return type(raw) is str and FIGURE.match(raw) is not None


def figure_value(raw: Any) -> int:
    """A reported figure times ``SCALE``, exactly; raises ValueError when it is not one.

    Whole numbers, not Fractions: a version-2 response has 26 figures, and integer
    cross-multiplication keeps its scoring as fast as a choice's.
    """
    if type(raw) is not str:
        raise ValueError("not a figure")
    return _parse(raw)


@lru_cache(maxsize=8192)
def _parse(raw: str) -> int:
    # Reported figures repeat a great deal (the same staff count on 13 criteria, round
    # numbers), so each distinct string is parsed once.
    if not FIGURE.match(raw):
        raise ValueError("not a figure")
    whole, _, decimals = raw.partition(".")
    return int(whole) * SCALE + int((decimals + "0000")[:4])


def edge_ratio(percent: float) -> tuple[int, int]:
    """An edge given in percent as (numerator, denominator) of a fraction of 1."""
    edge = Fraction(str(percent)) / 100
    return edge.numerator, edge.denominator
