"""Each programme's reach in a wave, hand-checked on a small wave, and on the dashboard."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from survey.models import ReviewState, Role
from survey.statistics.rollup import DEFAULT_STRATA
from survey.support import services
from survey.timezone import LOCAL
from tests import factories
from tests.respondent import helpers
from tests.support.helpers import stored

V1 = helpers.FRAMEWORK
BN = 10**9
# Decree 80, trade and services (section G): micro, small and medium enterprises.
SIZES = {"micro": (5, 1 * BN), "small": (30, 20 * BN), "medium": (80, 200 * BN)}


def today():
    return datetime.now(LOCAL).date()


def trader(size: str):
    employees, revenue = SIZES[size]
    return factories.enterprise(sector_code="G", employees=employees, revenue_vnd=revenue, capital_vnd=None)


@pytest.fixture
def small_wave(db):
    """Register: 8 micro, 4 small, 3 medium trading firms. Counted responses: 3 micro, 2 small.

    micro 1: level 0, ticked cloud · micro 2: ticked cloud and training · micro 3: nothing
    small 1: ticked cloud · small 2: nothing · a micro draft and a rejected micro: not counted.
    """
    wave = factories.with_modules(factories.wave(), "barriers-needs")

    def answered(size, fraction, needs, **fields):
        r = factories.response(wave, trader(size), answers=factories.answers_at(V1, fraction), **fields)
        factories.answer_module(r, "barriers-needs", {"needs": needs})
        return r

    low = answered("micro", 0.0, ["cloud"])
    answered("micro", 0.8, ["cloud", "training"])
    answered("micro", 0.8, [])
    answered("small", 0.8, ["cloud"])
    answered("small", 0.8, [])
    factories.response(wave, trader("micro"), answers=factories.answers_at(V1, 0.0), submit=False)
    rejected = answered("micro", 0.0, ["cloud"])
    rejected.review_state = ReviewState.REJECTED
    for size, n in (("micro", 3), ("small", 2), ("medium", 3)):
        for _ in range(n):
            trader(size)
    db.session.commit()
    assert low.overall_level == 0 and {r.overall_level for r in wave_responses(db, wave) if r is not low} - {
        0
    }
    return wave


def wave_responses(db, wave):
    from sqlalchemy import select

    from survey.models import Response

    return db.session.scalars(select(Response).filter_by(wave_id=wave.id)).all()


@pytest.fixture
def programmes(db):
    day = timedelta(days=1)
    return {
        "cloud": stored(db, name="Đám mây", needs=["cloud"]),
        "small": stored(db, name="Doanh nghiệp nhỏ", sizes=["small"]),
        "level0": stored(db, name="Mức 0", levels=[0]),
        "soon": stored(db, name="Sắp mở", starts_on=today() + day, kinds=["household"]),
        "withdrawn": stored(db, name="Đã rút", active=False),
        "ended": stored(db, name="Đã hết", ends_on=today() - day),
    }


def test_reach_hand_checked(db, small_wave, programmes):
    got = services.reach(db.session, small_wave, today(), strata=DEFAULT_STRATA, min_group=5)
    assert got.respondents == 5 and got.register_size == 15
    assert got.covered == pytest.approx(12 / 15)  # the 3 medium firms' stratum has no response
    rows = {r.programme.name: r for r in got.rows}
    assert set(rows) == {"Đám mây", "Doanh nghiệp nhỏ", "Mức 0", "Sắp mở"}
    # Đám mây: micro 2 of 3, small 1 of 2 → 8·2/3 + 4·1/2 = 7.33.
    assert (rows["Đám mây"].matched, rows["Đám mây"].estimate) == (3, 7)
    assert rows["Đám mây"].share == pytest.approx(3 / 5)
    # Doanh nghiệp nhỏ: both small respondents → all 4 small firms.
    assert (rows["Doanh nghiệp nhỏ"].matched, rows["Doanh nghiệp nhỏ"].estimate) == (2, 4)
    # Mức 0: micro 1 of 3 → 8/3 = 2.67.
    assert (rows["Mức 0"].matched, rows["Mức 0"].estimate) == (1, 3)
    # Sắp mở: for households only, none here; listed as not started.
    assert (rows["Sắp mở"].matched, rows["Sắp mở"].estimate, rows["Sắp mở"].upcoming) == (0, 0, True)
    assert [r.programme.name for r in got.rows] == ["Đám mây", "Doanh nghiệp nhỏ", "Mức 0", "Sắp mở"]


def test_too_few_responses_count_but_estimate_nothing(db, small_wave, programmes):
    got = services.reach(
        db.session, small_wave, today(), filters={"size_class": "small"}, strata=DEFAULT_STRATA, min_group=5
    )
    rows = {r.programme.name: r for r in got.rows}
    assert got.respondents == 2 and got.register_size == 4
    assert (rows["Đám mây"].matched, rows["Đám mây"].estimate) == (1, None)


def test_no_programme_no_section(db, small_wave):
    assert not services.reach(db.session, small_wave, today())


def test_reach_reads_the_wave_in_a_fixed_number_of_queries(db, small_wave, programmes):
    from sqlalchemy import event

    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        services.reach(db.session, small_wave, today(), strata=DEFAULT_STRATA)
        few = len(statements)
        for i in range(10):
            stored(db, name=f"Thêm {i}", needs=["training"])
        statements.clear()
        services.reach(db.session, small_wave, today(), strata=DEFAULT_STRATA)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Programmes, the wave, the scorecards, the needs, the register (and a savepoint).
    assert len(statements) == few <= 6


def cell(page: str, programme_id: int, testid: str) -> str:
    row = re.search(rf'<tr data-programme="{programme_id}">.*?</tr>', page, re.S).group(0)
    return re.search(rf'data-testid="{testid}">([^<]*)<', row).group(1)


def test_the_dashboard_shows_the_reach(client, db, small_wave, programmes, as_role):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={small_wave.id}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="support-reach"' in text
    assert cell(text, programmes["cloud"].id, "matched") == "3"
    assert cell(text, programmes["cloud"].id, "estimate") == "7"
    assert cell(text, programmes["small"].id, "estimate") == "4"
    assert f'data-programme="{programmes["withdrawn"].id}"' not in text
    assert "not started yet" in text
    filtered = client.get(
        f"/staff/dashboard?wave={small_wave.id}&size_class=small", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert cell(filtered, programmes["cloud"].id, "matched") == "1"
    assert cell(filtered, programmes["cloud"].id, "estimate") == "–"
    assert "Too few responses to estimate" in filtered


def test_no_programmes_no_dashboard_section(client, db, small_wave, as_role):
    as_role(Role.VIEWER)
    text = client.get(f"/staff/dashboard?wave={small_wave.id}").get_data(as_text=True)
    assert 'data-testid="support-reach"' not in text
