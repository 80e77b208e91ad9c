"""The estimated number of firms beside a share: the share of a group times its register count.

An officer plans support in firms, not in percent: "41,2% (≈ 3.850 doanh nghiệp;
3.610–4.090)" says how many firms a share stands for and how sure that is. The interval
is the share's own 95% interval scaled by the same register count, so it says no more
and no less than the share's. Counts are rounded (to whole firms below 1,000, to tens
from 1,000 up) because an estimate is not a count, and four exact digits would pretend
it were.

``with_firms`` is the one place a share and its firms are written, on the staff
dashboard and the public summary alike; ``firms`` is its arithmetic, kept apart so it
can be checked by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import parse_pattern
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

# Parsed once: the dashboard writes thousands of shares, and Flask-Babel's format
# functions look the locale up and parse the pattern again at every call.
_PERCENT = parse_pattern("0.0%")
_WHOLE = parse_pattern("#,##0")


@dataclass(frozen=True)
class Firms:
    """An estimated number of firms and its 95% interval (None: the share has none)."""

    estimate: int
    low: int | None = None
    high: int | None = None


def rounded(value: float) -> int:
    """Whole firms below 1,000, tens from 1,000 up; halves go up (never banker's rounding)."""
    step = 10 if value >= 1000 else 1
    return math.floor(value / step + 0.5) * step


def firms(share: float | None, low: float | None, high: float | None, register: int | None) -> Firms | None:
    """``share`` (and its interval) of ``register`` firms; None without a share or a register."""
    if share is None or not register:
        return None
    both = low is not None and high is not None
    return Firms(
        estimate=rounded(share * register),
        low=rounded(low * register) if both else None,
        high=rounded(high * register) if both else None,
    )


def noun(populations: list[str]) -> str:
    """What the counted units are called: enterprises are firms; households are not."""
    return _("firms") if populations == ["enterprises"] else _("businesses")


def with_firms(
    share: float | None,
    low: float | None,
    high: float | None,
    register: int | None,
    populations: list[str] | None = None,
    testid: str | None = None,
) -> Markup:
    """A share and the firms it stands for: "41,2% (≈ 3.850 doanh nghiệp; 3.610–4.090)".

    Without a register count to scale by, the share keeps its own interval in percent;
    without a share, a dash. ``testid`` marks the share itself for tests.
    """
    locale = get_locale()
    if share is None:
        return Markup('<span class="share"{}>–</span>').format(_mark(testid)) if testid else Markup("–")
    percent = _PERCENT.apply(share, locale)
    shown = (
        Markup('<span class="share"{}>{}</span>').format(_mark(testid), percent)
        if testid
        else escape(percent)
    )
    estimate = firms(share, low, high, register)
    if estimate is None:
        if low is None or high is None:
            return shown
        interval = f"({_PERCENT.apply(low, locale)}–{_PERCENT.apply(high, locale)})"
        return shown + Markup(' <span class="ci">{}</span>').format(interval)
    what = noun(populations or ["enterprises"])
    # "≈" and its number never part over two lines (a no-break space), nor a range.
    count = f"≈\u00a0{_WHOLE.apply(estimate.estimate, locale)}"
    if estimate.low is None:
        # Asked without variables, gettext leaves the placeholders for Markup's own %,
        # which escapes the words and keeps the range's markup.
        text = escape(_("(%(firms)s %(noun)s)")) % {"firms": count, "noun": what}
    else:
        span = Markup('<span class="range">{}–{}</span>').format(
            _WHOLE.apply(estimate.low, locale), _WHOLE.apply(estimate.high, locale)
        )
        text = escape(_("(%(firms)s %(noun)s; %(low_high)s)")) % {
            "firms": count,
            "noun": what,
            "low_high": span,
        }
    return shown + Markup(' <span class="firms">{}</span>').format(text)


def _mark(testid: str | None) -> Markup:
    return Markup(' data-testid="{}"').format(testid) if testid else Markup("")
