"""Geometry for the dashboard's server-rendered SVG bar charts (no chart library, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 720
#: Room for the group names, right-aligned before the bars.
LABEL = 300
#: Room on the right for the value text ("17,2% (≈ 3.850)").
VALUE = 130
ROW = 26
BAR = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str
    y: float
    x: float
    width: float
    low_x: float | None = None
    high_x: float | None = None

    @property
    def text_x(self) -> float:
        """Where the value is written: after the bar and after its interval line."""
        return max(self.x + self.width, self.high_x or 0) + 6


def bars(
    items: list[tuple[str, float | None, float | None, float | None, str]], maximum: float = 1.0
) -> dict:
    """Horizontal bars for (label, value, ci_low, ci_high, text) items; None values get no bar."""
    span = WIDTH - LABEL - VALUE
    out = []
    for index, (label, value, low, high, text) in enumerate(items):
        scale = (
            (lambda v: LABEL + span * max(0.0, min(v, maximum)) / maximum) if maximum else (lambda v: LABEL)
        )
        out.append(
            Bar(
                label=label,
                value=value,
                text=text,
                y=index * ROW + 6,
                x=LABEL,
                width=0 if value is None else scale(value) - LABEL,
                low_x=None if low is None else scale(low),
                high_x=None if high is None else scale(high),
            )
        )
    return {"bars": out, "width": WIDTH, "height": len(out) * ROW + 12, "bar": BAR, "label": LABEL}
