"""The form an administrator edits a firm of the register with.

Its fields are named as the register file's columns (survey.registry.register_format) and
take text, so the register import's rules check them (survey.registry.editing.check):
the form only carries the values and the CSRF token. Amounts are in billion đồng, shown
the Vietnamese way (survey.money.format_billions: 1,43); sent back untouched, an amount
keeps its exact stored value.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from survey import labels, money
from survey.models import AdminUnit, Enterprise, Sector
from survey.registry import editing

#: The form's fields, named as the register's columns, in the order of the page.
COLUMNS = (
    "kind",
    "tax_code",
    "name",
    "unit",
    "sector",
    "ownership",
    "employees",
    "revenue_bn_vnd",
    "capital_bn_vnd",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
)
#: Long enough for any value the rules accept and their messages about one that is not.
_TEXT = [Length(max=1000)]


def _unchecked_select(label) -> SelectField:
    # The register's rules check the value (and say why in their words), not WTForms.
    return SelectField(label, choices=[], validate_choice=False)


class FirmForm(FlaskForm):
    kind = _unchecked_select(_l("Kind of business"))
    tax_code = StringField(_l("Tax code or personal ID"), validators=_TEXT)
    name = StringField(_l("Name of the business"), validators=_TEXT)
    unit = _unchecked_select(_l("Ward, commune or special zone"))
    sector = _unchecked_select(_l("Sector (VSIC)"))
    ownership = _unchecked_select(_l("Ownership"))
    employees = StringField(_l("Employees"), validators=_TEXT)
    revenue_bn_vnd = StringField(_l("Revenue last year (billion đồng)"), validators=_TEXT)
    capital_bn_vnd = StringField(_l("Total capital (billion đồng)"), validators=_TEXT)
    contact_name = StringField(_l("Contact person"), validators=_TEXT)
    contact_email = StringField(_l("Contact e-mail"), validators=_TEXT)
    contact_phone = StringField(_l("Contact phone"), validators=_TEXT)
    address = StringField(_l("Head-office address"), validators=_TEXT)
    version = HiddenField()

    def offer(self, session: Session, firm: Enterprise) -> FirmForm:
        """Fill the lists: kinds, units (by former area), sectors, ownerships."""
        self.kind.choices = [SelectChoice(code, text) for code, text in labels.choices("kind")]
        units = session.scalars(
            select(AdminUnit)
            .where(AdminUnit.active | (AdminUnit.id == firm.unit_id))
            .order_by(AdminUnit.former_area, AdminUnit.name_vi)
        )
        self.unit.choices = [SelectChoice("", "")] + [
            SelectChoice(u.code, u.name_vi, optgroup=u.former_area) for u in units
        ]
        self.sector.choices = [SelectChoice("", "")] + [
            SelectChoice(s.code, f"{s.code} – {s.name_vi}")
            for s in session.scalars(select(Sector).order_by(Sector.code))
        ]
        self.ownership.choices = [SelectChoice("", str(_l("Not stated")))] + [
            SelectChoice(code, text) for code, text in labels.choices("ownership")
        ]
        return self

    def cells(self) -> dict[str, str]:
        """What was typed, by register column."""
        return {column: getattr(self, column).data or "" for column in COLUMNS}

    def labels(self) -> dict[str, str]:
        """Each column as the form names it, for the messages."""
        return {column: str(getattr(self, column).label.text) for column in COLUMNS}

    def show(self, problems: list[tuple[str, str]]) -> None:
        """Put each problem beside its field."""
        for column, message in problems:
            field = getattr(self, column, None) or self.name
            field.errors = [*field.errors, message]


def _billions(vnd: int | None) -> str:
    return "" if vnd is None else money.format_billions(vnd)


def initial(session: Session, firm: Enterprise) -> dict:
    """The firm's stored values as the form shows them."""
    return {
        "kind": firm.kind.value,
        "tax_code": firm.tax_code or "",
        "name": firm.name,
        "unit": editing.unit_code(session, firm.unit_id),
        "sector": firm.sector_code or "",
        "ownership": firm.ownership.value if firm.ownership else "",
        "employees": "" if firm.employees is None else str(firm.employees),
        "revenue_bn_vnd": _billions(firm.revenue_vnd),
        "capital_bn_vnd": _billions(firm.capital_vnd),
        "contact_name": firm.contact_name or "",
        "contact_email": firm.contact_email or "",
        "contact_phone": firm.contact_phone or "",
        "address": firm.address or "",
        "version": editing.version(firm),
    }
