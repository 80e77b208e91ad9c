"""The demo carries a support catalogue whose programmes fit some of its firms."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from survey.models import AuditEvent, SupportProgramme
from survey.registry import demo_support
from survey.registry.demo import seed_demo
from survey.statistics.rollup import DEFAULT_STRATA
from survey.support import services
from survey.support.vocabulary import LISTS, vocabulary


def test_the_demo_programmes_use_known_codes_and_are_audited(db):
    programmes = demo_support.seed(db.session, date(2026, 5, 15))
    assert 4 <= len(programmes) <= 6
    words = vocabulary(db.session)
    for p in programmes:
        assert p.active and p.link.startswith("https://")
        for name in LISTS:
            assert set(getattr(p, name)) <= set(words.codes(name)), (p.name, name)
        assert not p.ends_on or p.ends_on >= date(2026, 5, 15)
    assert any("SMEdx" in p.name for p in programmes)
    assert any("80/2021/NĐ-CP" in p.name for p in programmes)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).filter_by(action="support.created")
    ) == len(programmes)


def test_the_demo_wave_has_programmes_that_reach_its_firms(db, framework_version):
    result = seed_demo(db.session, 150, 7, framework_version)
    assert db.session.scalar(select(func.count()).select_from(SupportProgramme)) >= 4
    today = result.wave.opens_at.date()
    reach = services.reach(db.session, result.wave, today, strata=DEFAULT_STRATA, min_group=5)
    matched = [r.matched for r in reach.rows]
    assert reach.respondents > 50 and any(matched) and max(matched) < reach.respondents
