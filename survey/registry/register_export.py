"""The register, as the list shows it (its filters and search), in an .xlsx workbook.

For reading, in the staff member's language: kinds, ownerships and sizes in words (the
label catalogue), each unit and sector by its name with its code beside it for machines,
amounts in billion đồng as numbers. A personal ID is whole only for those who see it
whole (``personal_ids``), else masked, as on the pages; contacts only with ``contacts``.
Rows stream through a write-only sheet, so the whole register costs little memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import openpyxl
from flask_babel import gettext as _

from survey.labels import label
from survey.models.size_class import BILLION
from survey.registry import identifiers
from survey.spreadsheets import Col, Table, save

AMOUNT = "#,##0.00"


def _billions(vnd: int | None) -> Decimal | None:
    return None if vnd is None else Decimal(vnd) / BILLION


def _identifier(row, personal_ids: bool) -> str:
    if row.tax_code is None:
        return _("(erased)") if row.id_erased_at is not None else ""
    return row.tax_code if personal_ids else identifiers.mask(row.id_type, row.tax_code)


def workbook(rows: Iterable, *, personal_ids: bool, contacts: bool, english: bool) -> tuple[bytes, int]:
    """(the .xlsx file, the number of firms in it) of ``rows`` (survey.registry.browse)."""
    book = openpyxl.Workbook(write_only=True)
    cols = [
        Col(_("Name of the business"), 40),
        Col(_("Tax code or personal ID"), 18),
        Col(_("Kind of business"), 24),
        Col(_("Ward, commune or special zone"), 26),
        Col(_("Unit code"), 10),
        Col(_("Former district-level area"), 28),
        Col(_("Sector (VSIC)"), 44),
        Col(_("Sector code"), 8),
        Col(_("Ownership"), 24),
        Col(_("Size class"), 22),
        Col(_("Employees"), 11),
        Col(_("Revenue last year (billion đồng)"), 16, AMOUNT),
        Col(_("Total capital (billion đồng)"), 16, AMOUNT),
    ]
    if contacts:
        cols += [
            Col(_("Contact person"), 24),
            Col(_("Contact e-mail"), 28),
            Col(_("Contact phone"), 16),
            Col(_("Head-office address"), 40),
        ]
    table = Table(book.create_sheet(_("Register")), cols)
    count = 0
    for row in rows:
        values = [
            row.name,
            _identifier(row, personal_ids),
            label(row.kind),
            row.unit_name,
            row.unit_code,
            row.former_area,
            (row.sector_en if english else row.sector_vi) or row.sector_code,
            row.sector_code,
            label(row.ownership),
            label(row.size_class),
            row.employees,
            _billions(row.revenue_vnd),
            _billions(row.capital_vnd),
        ]
        if contacts:
            values += [row.contact_name, row.contact_email, row.contact_phone, row.address]
        table.row(values)
        count += 1
    table.close()
    return save(book), count
