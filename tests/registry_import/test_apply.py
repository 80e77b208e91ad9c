"""Applying a read register: adds, updates, leaves alone, derives size classes."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import Enterprise, Ownership, SizeClass
from survey.models.size_class import BILLION
from survey.registry.importer import ImportResult, apply_register, read_register
from tests import factories
from tests.registry_import._support import row, workbook


def firm(db, code: str) -> Enterprise:
    return db.session.scalars(select(Enterprise).filter_by(tax_code=code)).one()


def test_a_good_file_is_written_with_size_classes(db):
    codes = [factories.tax_code() for _ in range(4)]
    rows = [
        # industry: 25 employees and 2.5 bn revenue -> small
        row(tax_code=codes[0], sector="C", employees=25, revenue_bn_vnd="2,5", capital_bn_vnd=None),
        # trade and services: 5 employees, 1 bn -> micro
        row(tax_code=codes[1], sector="G", employees=5, revenue_bn_vnd=1, unit="Phường Hồng An"),
        # no employee count -> no class
        row(tax_code=codes[2], employees=None, ownership=None),
        # over every medium cap -> large
        row(tax_code=codes[3], sector="H", employees=500, revenue_bn_vnd=400, capital_bn_vnd=200),
    ]
    preview = read_register(workbook(rows), db.session)

    result = apply_register(db.session, preview)

    assert result == ImportResult(added=4, updated=0, unchanged=0)
    assert str(result) == "4 added, 0 updated, 0 unchanged"
    first = firm(db, codes[0])
    assert (first.name, first.unit.code, first.sector_code, first.ownership) == (
        "Công ty TNHH Hải Âu",
        "11311",
        "C",
        Ownership.PRIVATE,
    )
    assert (first.employees, first.revenue_vnd, first.capital_vnd) == (25, 2_500_000_000, None)
    assert (first.contact_email, first.contact_phone) == ("binh@haiau.example.vn", "0225 3842 123")
    assert first.size_class == SizeClass.SMALL
    assert first.created_at is not None and first.updated_at is not None
    assert firm(db, codes[1]).unit.code == "11602"
    assert firm(db, codes[1]).size_class == SizeClass.MICRO
    assert firm(db, codes[2]).size_class is None
    assert firm(db, codes[2]).ownership is None
    assert firm(db, codes[3]).size_class == SizeClass.LARGE


def test_reimport_reports_unchanged_and_updated_rows(db):
    codes = [factories.tax_code() for _ in range(3)]
    rows = [
        row(tax_code=codes[0], sector="C", employees=5, revenue_bn_vnd=1, capital_bn_vnd=1),
        row(tax_code=codes[1], sector="G", employees=8),
        row(tax_code=codes[2], sector="I", employees=30, revenue_bn_vnd="4,2"),
    ]
    apply_register(db.session, read_register(workbook(rows), db.session))
    assert firm(db, codes[0]).size_class == SizeClass.MICRO

    same = read_register(workbook(rows), db.session)
    assert (same.to_add, same.to_update, same.unchanged) == (0, 0, 3)
    assert apply_register(db.session, same) == ImportResult(added=0, updated=0, unchanged=3)

    new_code = factories.tax_code()
    changed = [
        row(tax_code=codes[0], sector="C", employees=150, revenue_bn_vnd=1, capital_bn_vnd=1),  # grows
        rows[1],
        row(tax_code=codes[2], sector="I", employees=30, revenue_bn_vnd=None),  # an emptied cell clears
        row(tax_code=new_code),
    ]
    preview = read_register(workbook(changed), db.session)
    assert (preview.to_add, preview.to_update, preview.unchanged) == (1, 2, 1)

    assert apply_register(db.session, preview) == ImportResult(added=1, updated=2, unchanged=1)
    assert (firm(db, codes[0]).employees, firm(db, codes[0]).size_class) == (150, SizeClass.MEDIUM)
    assert firm(db, codes[2]).revenue_vnd is None
    assert firm(db, new_code).size_class == SizeClass.SMALL


def test_an_existing_firm_matches_by_normalised_tax_code(db):
    existing = factories.enterprise(
        name="Công ty TNHH Thử Nghiệm",
        ownership=Ownership.PRIVATE,
        employees=20,
        revenue_vnd=5 * BILLION,
        capital_vnd=2 * BILLION,
    )
    header = ["tax_code", "name", "unit", "sector", "ownership", "employees", "revenue_bn_vnd"]
    header.append("capital_bn_vnd")
    spaced = f"{existing.tax_code[:4]} {existing.tax_code[4:]}"
    same = [spaced, "Công ty TNHH Thử Nghiệm", "11311", "C", "private", 20, "5", "2,0"]

    preview = read_register(workbook([same], header=header), db.session)
    assert (preview.to_add, preview.to_update, preview.unchanged) == (0, 0, 1)

    renamed = [existing.tax_code, "Công ty Cổ phần Thử Nghiệm", "11311", "C", "private", 20, 5, 2]
    preview = read_register(workbook([renamed], header=header), db.session)
    assert (preview.to_add, preview.to_update, preview.unchanged) == (0, 1, 0)
    apply_register(db.session, preview)
    db.session.refresh(existing)
    assert existing.name == "Công ty Cổ phần Thử Nghiệm"


def test_columns_missing_from_the_file_are_left_alone(db):
    existing = factories.enterprise(
        contact_name="Lê Văn Cường", contact_email="cuong@example.vn", address="Số 5 Điện Biên Phủ"
    )
    header = ["tax_code", "name", "unit", "sector", "employees"]

    preview = read_register(
        workbook([[existing.tax_code, existing.name, "11311", "C", 80]], header=header), db.session
    )
    assert (preview.to_update, preview.unchanged) == (1, 0)
    apply_register(db.session, preview)

    db.session.refresh(existing)
    assert existing.employees == 80
    assert (existing.contact_name, existing.contact_email, existing.address) == (
        "Lê Văn Cường",
        "cuong@example.vn",
        "Số 5 Điện Biên Phủ",
    )
    assert existing.size_class == SizeClass.SMALL  # 80 employees, 5 bn revenue (factory default)


def test_only_valid_rows_are_applied_and_nothing_is_committed(db):
    good = factories.tax_code()
    bad = factories.tax_code()
    preview = read_register(workbook([row(tax_code=good), row(tax_code=bad, sector="Z")]), db.session)
    assert len(preview.errors) == 1

    assert apply_register(db.session, preview) == ImportResult(added=1)
    written = select(Enterprise.tax_code).where(Enterprise.tax_code.in_([good, bad]))
    assert db.session.scalars(written).all() == [good]
    db.session.rollback()  # the caller decides: rolled back, the import leaves no trace
    assert db.session.scalar(select(Enterprise).filter_by(tax_code=good)) is None
