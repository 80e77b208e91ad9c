"""The scorecard value object a scoring run returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.scoring.definition import Text


@dataclass(frozen=True, slots=True)
class PillarScore:
    code: str
    points: int
    max_points: int
    #: Percent of the pillar maximum, rounded to 2 decimals (levels use exact points).
    percent: float
    level: int
    #: What a firm at this level of this pillar should do next.
    recommendation: Text


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """A component index's points (DBI 2021's 10 "chỉ số thành phần")."""

    code: str
    pillar: str
    points: int
    max_points: int

    @property
    def percent(self) -> float:
        return round(self.points * 100 / self.max_points, 2) if self.max_points else 0.0


@dataclass(frozen=True, slots=True)
class Scorecard:
    framework: str
    version: int
    #: Points per criterion code (multi-choice criteria already capped).
    criteria: dict[str, int]
    pillars: tuple[PillarScore, ...]
    total_points: int
    max_points: int
    overall_level: int
    tier: str
    #: One per component, in framework order (empty for frameworks without components).
    components: tuple[ComponentScore, ...] = ()
    #: Reported share (in %, 2 decimals) per figure criterion answered.
    shares: dict[str, float] = field(default_factory=dict)

    def pillar(self, code: str) -> PillarScore:
        return next(p for p in self.pillars if p.code == code)

    def to_dict(self) -> dict:
        """The machine-readable form of the ``score`` CLI contract."""
        return {
            "total_points": self.total_points,
            "overall_level": self.overall_level,
            "tier": self.tier,
            "pillars": {
                p.code: {
                    "points": p.points,
                    "max_points": p.max_points,
                    "percent": p.percent,
                    "level": p.level,
                }
                for p in self.pillars
            },
            **(
                {
                    "components": {
                        c.code: {"points": c.points, "max_points": c.max_points} for c in self.components
                    }
                }
                if self.components
                else {}
            ),
        }
