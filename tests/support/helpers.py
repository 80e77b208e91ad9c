"""Programmes and firms for the support catalogue's tests."""

from __future__ import annotations

import itertools
from datetime import date

from survey.models import SupportProgramme
from survey.support.matching import FirmFacts

_ids = itertools.count(1)
TODAY = date(2026, 5, 15)


def programme(**fields) -> SupportProgramme:
    """A programme (not stored) that serves everyone unless ``fields`` say otherwise."""
    values = {
        "id": next(_ids),
        "name": "Chương trình",
        "provider": "Sở Khoa học và Công nghệ",
        "offers": "Hỗ trợ",
        "link": None,
        "contact": None,
        "pillars": [],
        "levels": [],
        "sizes": [],
        "kinds": [],
        "needs": [],
        "starts_on": None,
        "ends_on": None,
        "active": True,
    }
    return SupportProgramme(**{**values, **fields})


def stored(db, **fields) -> SupportProgramme:
    """A programme written to the database (committed so that requests see it)."""
    fields.setdefault("id", None)
    p = programme(**fields)
    db.session.add(p)
    db.session.commit()
    return p


def firm(**fields) -> FirmFacts:
    values = {
        "overall_level": 1,
        "pillar_levels": {"strategy": 1, "data": 0, "customer": 2},
        "size_class": "micro",
        "kind": "enterprise",
        "needs": frozenset(),
        "weakest": "data",
    }
    return FirmFacts(**{**values, **fields})
