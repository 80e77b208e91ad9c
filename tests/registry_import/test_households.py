"""Importing household and individual businesses: personal IDs, kinds, duplicates, size class."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Enterprise
from survey.models.business import BusinessKind, IdType, Population
from survey.models.size_class import SizeClass
from survey.registry.importer import apply_register, read_register
from tests import factories
from tests.registry_import._support import row, workbook

#: Valid-looking personal IDs: Hải Phòng (031) and Hải Dương (030), born 1985 and 1992.
PERSON = "031085001234"
OTHER = "030192004567"


def read(db, *rows):
    return read_register(workbook(list(rows)), db.session)


def stored(db, code):
    return db.session.scalars(
        select(Enterprise).where(Enterprise.tax_code == code).order_by(Enterprise.kind)
    ).all()


def test_households_and_individuals_with_valid_ids_are_imported(db):
    preview = read(
        db,
        row(tax_code=PERSON, kind="Hộ kinh doanh", name="Hộ kinh doanh Nguyễn Văn An"),
        row(tax_code="030 192 004 567", kind="individual", name="Trần Thị Bình"),
    )

    assert preview.errors == []
    assert preview.to_add == 2
    assert [(r["tax_code"], r["kind"], r["id_type"]) for r in preview.valid] == [
        (PERSON, BusinessKind.HOUSEHOLD, IdType.CCCD12),
        (OTHER, BusinessKind.INDIVIDUAL, IdType.CCCD12),
    ]
    result = apply_register(db.session, preview)
    assert result.added == 2
    (household,) = stored(db, PERSON)
    (individual,) = stored(db, OTHER)
    for firm, kind in ((household, BusinessKind.HOUSEHOLD), (individual, BusinessKind.INDIVIDUAL)):
        assert (firm.kind, firm.id_type, firm.population) == (kind, IdType.CCCD12, Population.HOUSEHOLDS)
        # Derived as the flush hook would: a household has no Decree 80 class.
        assert firm.size_class == SizeClass.HOUSEHOLD


def test_a_personal_id_in_a_number_cell_keeps_its_leading_zero(db):
    preview = read(db, row(tax_code=int(PERSON), kind="Cá nhân kinh doanh"))
    assert preview.errors == []
    assert preview.valid[0]["tax_code"] == PERSON


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("03108500123", "must have 12 digits"),
        ("03108500123x", "must be 12 digits"),
        ("999085001234", "province code"),
        ("031585001234", "4th digit"),
        ("031320001234", "birth year"),
        ("0201234569", "is a tax code"),
        ("", "personal ID is empty"),
    ],
)
def test_each_invalid_personal_id_is_reported_with_its_row(db, value, words):
    preview = read(db, row(), row(tax_code=value, kind="Hộ kinh doanh"))

    assert len(preview.valid) == 1
    (error,) = preview.errors
    assert error.row_number == 3
    assert words in error.message


def test_a_personal_id_without_a_personal_kind_is_refused(db):
    (error,) = read(db, row(tax_code=PERSON)).errors
    assert (error.row_number, error.tax_code) == (2, PERSON)
    assert "looks like a personal ID" in error.message


def test_an_unknown_kind_is_refused_naming_the_choices(db):
    (error,) = read(db, row(kind="công ty")).errors
    assert error.row_number == 2
    assert "kind of business 'công ty'" in error.message
    assert "Hộ kinh doanh" in error.message


def test_a_household_and_an_individual_with_the_same_personal_id_are_both_accepted(db):
    preview = read(
        db,
        row(tax_code=PERSON, kind="household", name="Hộ kinh doanh Nguyễn Văn An"),
        row(tax_code=PERSON, kind="Cá nhân kinh doanh", name="Nguyễn Văn An"),
    )

    assert preview.errors == []
    assert apply_register(db.session, preview).added == 2
    assert [f.kind for f in stored(db, PERSON)] == [BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL]


def test_a_duplicate_household_in_one_file_is_refused(db):
    preview = read(
        db,
        row(tax_code=PERSON, kind="Hộ kinh doanh"),
        row(tax_code="031 085 001 234", kind="household"),
    )

    assert len(preview.valid) == 1
    (error,) = preview.errors
    assert error.row_number == 3
    assert "already appears on row 2" in error.message


def test_a_household_is_matched_by_personal_id_and_kind(db):
    apply_register(db.session, read(db, row(tax_code=PERSON, kind="Hộ kinh doanh", name="Hộ A")))

    again = read(
        db,
        row(tax_code=PERSON, kind="Hộ kinh doanh", name="Hộ A đổi tên"),
        row(tax_code=PERSON, kind="Cá nhân kinh doanh", name="Cá nhân A"),
    )
    assert (again.to_add, again.to_update, again.unchanged) == (1, 1, 0)
    result = apply_register(db.session, again)
    assert (result.added, result.updated) == (1, 1)
    household, individual = stored(db, PERSON)
    assert (household.kind, household.name) == (BusinessKind.HOUSEHOLD, "Hộ A đổi tên")
    assert (individual.kind, individual.name) == (BusinessKind.INDIVIDUAL, "Cá nhân A")


def test_a_thirteen_digit_code_without_a_kind_is_a_branch(db):
    preview = read(db, row(tax_code="0100233488-001"), row(tax_code=factories.tax_code()))

    assert preview.errors == []
    branch, enterprise = preview.valid
    assert (branch["kind"], branch["id_type"]) == (BusinessKind.BRANCH, IdType.MST13)
    assert (enterprise["kind"], enterprise["id_type"]) == (BusinessKind.ENTERPRISE, IdType.MST10)
    apply_register(db.session, preview)
    (firm,) = stored(db, "0100233488-001")
    assert (firm.kind, firm.population) == (BusinessKind.BRANCH, Population.ENTERPRISES)
    assert firm.size_class not in (None, SizeClass.HOUSEHOLD)


def test_kinds_are_read_in_vietnamese_and_english(db):
    preview = read(
        db,
        row(kind="Doanh nghiệp"),
        row(kind="  HỢP TÁC XÃ "),
        row(tax_code="0100233488-002", kind="Chi nhánh"),
        row(kind="cooperative"),
    )
    assert preview.errors == []
    assert [r["kind"] for r in preview.valid] == [
        BusinessKind.ENTERPRISE,
        BusinessKind.COOPERATIVE,
        BusinessKind.BRANCH,
        BusinessKind.COOPERATIVE,
    ]


def test_a_tax_code_is_one_business_whatever_kind_is_written(db):
    code = factories.tax_code()
    preview = read(db, row(tax_code=code, kind="Doanh nghiệp"), row(tax_code=code, kind="Hợp tác xã"))
    (error,) = preview.errors
    assert (error.row_number, "already appears on row 2" in error.message) == (3, True)


def test_a_vietnamese_kind_header_is_recognised(db):
    header = ["tax_code", "name", "unit", "sector", "Loại hình kinh doanh"]
    preview = read_register(
        workbook([[PERSON, "Hộ B", "11311", "G", "Hộ kinh doanh"]], header=header), db.session
    )
    assert preview.errors == []
    assert "kind" in preview.fields
    assert preview.valid[0]["kind"] == BusinessKind.HOUSEHOLD
