"""Dashboard filters from the query string, checked against the values that exist."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, EconomicPillar, Ownership, Sector, SizeClass


class BadFilter(ValueError):
    pass


def allowed(session: Session) -> dict[str, list]:
    units = session.execute(select(AdminUnit.code, AdminUnit.name_vi).order_by(AdminUnit.name_vi)).all()
    return {
        "unit": [(u.code, u.name_vi) for u in units],
        "former_area": [(a, a) for a in sorted(set(session.scalars(select(AdminUnit.former_area))))],
        "sector": [
            (s.code, f"{s.code} – {s.name_vi}") for s in session.scalars(select(Sector).order_by(Sector.code))
        ],
        "economic_pillar": [(p.value, p.value) for p in EconomicPillar],
        "size_class": [(c.value, c.value) for c in SizeClass],
        "ownership": [(o.value, o.value) for o in Ownership],
    }


def parse(args, session: Session) -> tuple[dict, dict]:
    """(filters, choices): only known values pass; anything else raises BadFilter."""
    choices = allowed(session)
    filters = {}
    for name, options in choices.items():
        value = args.get(name, "")
        if value:
            if value not in {code for code, _ in options}:
                raise BadFilter(f"{name}={value!r} is not a known value")
            filters[name] = value
    return filters, choices
