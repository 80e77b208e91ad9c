"""Tax codes, Decree 80 size classes, and the register model that derives them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.models import Enterprise, SizeClass
from survey.models.size_class import BILLION, SizeGroup, classify
from survey.registry import tax_code
from tests import factories


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0100233488", "0100233488"),
        (" 0100233488 ", "0100233488"),
        ("0100233488-001", "0100233488-001"),
        ("0100233488001", "0100233488-001"),
        ("0100233488 - 001", "0100233488-001"),
    ],
)
def test_valid_tax_codes_are_normalised(raw, normal):
    assert tax_code.normalise(raw) == normal


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0100233487", "check digit"),  # last digit off by one
        ("010023348", "10 digits"),
        ("01002334881", "10 digits"),
        ("01002A3488", "only digits"),
        ("'; DROP TABLE enterprises; --", "only digits"),
        ("0100233488-000", "branch suffix"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_invalid_tax_codes_say_why(raw, reason):
    with pytest.raises(tax_code.TaxCodeError, match=reason):
        tax_code.normalise(raw)


# Each threshold of both sector groups, at the cap and one past it (Decree 80, Art. 5).
@pytest.mark.parametrize(
    ("group", "employees", "revenue_bn", "capital_bn", "expected"),
    [
        # industry & construction (and agriculture): micro 10 / 3 bn / 3 bn
        ("industry", 10, 3, 100, SizeClass.MICRO),
        ("industry", 10, 100, 3, SizeClass.MICRO),  # capital alone is enough
        ("industry", 11, 3, 3, SizeClass.SMALL),  # employees over the micro cap
        ("industry", 10, 4, 4, SizeClass.SMALL),  # both money figures over
        # small 100 / 50 bn / 20 bn
        ("industry", 100, 50, 500, SizeClass.SMALL),
        ("industry", 100, 500, 20, SizeClass.SMALL),
        ("industry", 101, 50, 20, SizeClass.MEDIUM),
        ("industry", 100, 51, 21, SizeClass.MEDIUM),
        # medium 200 / 200 bn / 100 bn
        ("industry", 200, 200, 1000, SizeClass.MEDIUM),
        ("industry", 200, 1000, 100, SizeClass.MEDIUM),
        ("industry", 201, 1, 1, SizeClass.LARGE),
        ("industry", 200, 201, 101, SizeClass.LARGE),
        # trade & services: micro 10 / 10 bn / 3 bn
        ("trade_services", 10, 10, 100, SizeClass.MICRO),
        ("trade_services", 10, 100, 3, SizeClass.MICRO),
        ("trade_services", 10, 11, 4, SizeClass.SMALL),
        ("trade_services", 11, 1, 1, SizeClass.SMALL),
        # small 50 / 100 bn / 50 bn
        ("trade_services", 50, 100, 500, SizeClass.SMALL),
        ("trade_services", 50, 500, 50, SizeClass.SMALL),
        ("trade_services", 51, 1, 1, SizeClass.MEDIUM),
        ("trade_services", 50, 101, 51, SizeClass.MEDIUM),
        # medium 100 / 300 bn / 100 bn
        ("trade_services", 100, 300, 1000, SizeClass.MEDIUM),
        ("trade_services", 100, 1000, 100, SizeClass.MEDIUM),
        ("trade_services", 101, 1, 1, SizeClass.LARGE),
        ("trade_services", 100, 301, 101, SizeClass.LARGE),
    ],
)
def test_size_class_thresholds(group, employees, revenue_bn, capital_bn, expected):
    assert classify(group, employees, revenue_bn * BILLION, capital_bn * BILLION) is expected


def test_one_vnd_over_the_cap_counts():
    cap = 3 * BILLION
    assert classify(SizeGroup.INDUSTRY, 5, cap, cap + 1) is SizeClass.MICRO
    assert classify(SizeGroup.INDUSTRY, 5, cap + 1, cap + 1) is SizeClass.SMALL


def test_size_class_with_missing_figures():
    assert classify(None, 5, 1, 1) is None
    assert classify("industry", None, 1, 1) is None
    # No financial figures at all: employees decide.
    assert classify("industry", 80, None, None) is SizeClass.SMALL
    # One known figure over the cap and the other unknown: not within the class.
    assert classify("industry", 5, 4 * BILLION, None) is SizeClass.SMALL


def test_enterprise_size_class_is_derived_and_kept_in_step(db):
    firm = factories.enterprise(sector_code="G", employees=8, revenue_vnd=9 * BILLION, capital_vnd=None)
    assert firm.size_class is SizeClass.MICRO  # trade & services micro: revenue ≤ 10 bn
    firm.sector_code = "C"  # industry: revenue cap for micro is 3 bn
    db.session.flush()
    assert firm.size_class is SizeClass.SMALL
    firm.employees = 250
    db.session.flush()
    stored = db.session.scalar(select(Enterprise.size_class).where(Enterprise.id == firm.id))
    assert stored is SizeClass.LARGE


def test_tax_code_is_unique_in_the_register(db):
    code = factories.tax_code()
    factories.enterprise(tax_code=code)
    with pytest.raises(IntegrityError):
        factories.enterprise(tax_code=code)


def test_one_response_per_firm_per_wave_is_enforced_by_the_database(db):
    wave = factories.wave()
    firm = factories.enterprise()
    factories.response(wave, firm)
    with pytest.raises(IntegrityError):
        factories.response(wave, firm)


def test_the_demo_register_has_household_and_individual_businesses(db, framework_version):
    from survey.models import Response
    from survey.models.business import ALL_KINDS, BusinessKind, IdType, Population
    from survey.registry import identifiers
    from survey.registry.demo import seed_demo

    result = seed_demo(db.session, 200, 7, framework_version)

    assert result.wave.kinds == [kind.value for kind in ALL_KINDS]
    firms = db.session.scalars(select(Enterprise)).all()
    personal = [f for f in firms if f.id_type is IdType.CCCD12]
    assert 0.1 < len(personal) / len(firms) < 0.25
    assert {f.kind for f in personal} == {BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL}
    for firm in personal:
        assert identifiers.normalise(firm.kind, firm.tax_code) == (IdType.CCCD12, firm.tax_code)
        assert firm.tax_code[:3] in ("031", "030")
        assert (firm.population, firm.size_class) == (Population.HOUSEHOLDS, SizeClass.HOUSEHOLD)
    answered = db.session.scalars(
        select(Response).where(Response.kind.in_([BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL]))
    ).all()
    assert answered and all(r.wave is result.wave and result.wave.serves(r.kind) for r in answered)
    assert all(r.size_class == SizeClass.HOUSEHOLD for r in answered)
