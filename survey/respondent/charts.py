"""Geometry of the result page's bar chart, drawn as inline SVG by the template."""

from __future__ import annotations

from dataclasses import dataclass

from survey.scoring import Framework, Scorecard

BAR_HEIGHT = 16
ROW_HEIGHT = 44
# Narrow on purpose: the SVG scales to the screen, so fewer units mean larger text on a phone.
WIDTH = 300

#: A bar's fill by the pillar's level (0-5), dark enough for 3:1 against the light track.
#: Set as SVG attributes, not page CSS: the PDF renderer styles inline SVG by its
#: attributes only. Never the only cue: the legend and every bar's label say the level.
LEVEL_COLOURS = ("#9b2c2c", "#b45309", "#7c6a00", "#2f6f3e", "#1f5f9e", "#4b2a85")
#: The peers' mean marker.
PEER_COLOUR = "#1b1f24"


def level_colour(level: int) -> str:
    return LEVEL_COLOURS[min(max(level, 0), len(LEVEL_COLOURS) - 1)]


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    level: int
    colour: str
    y: float
    width: float
    #: x of the peers' mean marker, when there is a comparison.
    peer_x: float | None
    peer_percent: float | None


def pillar_chart(framework: Framework, card: Scorecard, peers, lang: str) -> dict:
    """Bars of each pillar's percent of its maximum, with the peers' mean as a marker."""
    bars = []
    for index, (pillar, score) in enumerate(zip(framework.pillars, card.pillars, strict=True)):
        peer = peers.pillar_means.get(pillar.code) if peers else None
        bars.append(
            Bar(
                label=pillar.name.get(lang),
                percent=score.percent,
                level=score.level,
                colour=level_colour(score.level),
                y=index * ROW_HEIGHT + 16,
                width=WIDTH * score.percent / 100,
                peer_x=None if peer is None else WIDTH * peer / 100,
                peer_percent=peer,
            )
        )
    bands = [WIDTH * b.percent / 100 for b in framework.pillar_bands]
    return {
        "bars": bars,
        "bands": bands,
        "width": WIDTH,
        "height": len(bars) * ROW_HEIGHT + 8,
        "bar_height": BAR_HEIGHT,
        # What the legend explains: every level's colour, and the peers' mark when drawn.
        "legend": [(lv.level, level_colour(lv.level), lv.name.get(lang)) for lv in framework.levels],
        "peer_colour": PEER_COLOUR,
        "has_peers": any(bar.peer_x is not None for bar in bars),
    }
