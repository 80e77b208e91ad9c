"""Forms of the respondent journey. Choices that come from the database are passed in."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey.fields import IntegerField
from survey.models import Ownership
from survey.registry import tax_code
from survey.scoring.definition import Criterion, Kind, Pillar, Technology

TAX_CODE_MESSAGES = {
    "empty": _l("Please enter the tax code."),
    "format": _l("A tax code has only digits, with an optional branch suffix like -001."),
    "length": _l("A tax code has 10 digits, or 13 with a branch suffix (0100233488-001)."),
    "checksum": _l("This tax code's check digit does not match. Please check it against your registration."),
    "branch": _l("The branch suffix must be between 001 and 999."),
}
OWNERSHIP_LABELS = {
    Ownership.PRIVATE: _l("Private domestic enterprise"),
    Ownership.STATE: _l("State-owned enterprise"),
    Ownership.FOREIGN: _l("Foreign-invested enterprise"),
    Ownership.COOPERATIVE: _l("Cooperative"),
    Ownership.HOUSEHOLD: _l("Household business"),
}
BILLION = Decimal(1_000_000_000)


class Honeypot(StringField):
    """A field people never see or fill; bots that fill every input give themselves away."""

    def pre_validate(self, form):
        if self.data:
            raise ValidationError(_l("This form could not be accepted."))


class AmountField(DecimalField):
    """A decimal amount that accepts the Vietnamese decimal comma (2,5) as well as 2.5."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)
        # Decimal reads "NaN", "sNaN" and "Infinity" too; no amount is one of those.
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def _phone_digits(form, field) -> None:
    digits = sum(ch.isdigit() for ch in field.data or "")
    if not 8 <= digits <= 15:
        raise ValidationError(_l("Please enter a phone number of 8 to 15 digits."))


class StartForm(FlaskForm):
    tax_code = StringField(_l("Enterprise tax code (mã số thuế)"), validators=[Length(max=40)])
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that the enterprise's data, the contact "
            "person's details and the answers are processed as it describes."
        ),
        validators=[InputRequired(message=_l("Please agree to the privacy notice to continue."))],
    )
    website = Honeypot(_l("Leave this field empty"))

    def validate_tax_code(self, field: Field) -> None:
        try:
            field.data = tax_code.normalise(field.data or "")
        except tax_code.TaxCodeError as exc:
            raise ValidationError(TAX_CODE_MESSAGES[exc.reason]) from None


def _optional_int(value) -> int | None:
    """Coerce a unit id, with the empty placeholder meaning "not chosen"."""
    return None if value in ("", None) else int(value)


def _billions(value) -> int | None:
    return None if value is None else int(value * BILLION)


class FirmForm(FlaskForm):
    # InputRequired: the field must be sent (the form is built on the stored profile, which
    # would stand in for a missing one). DataRequired: spaces are no name either.
    firm_name = StringField(
        _l("Enterprise name"),
        validators=[
            InputRequired(_l("Please enter the name.")),
            DataRequired(_l("Please enter the name.")),
            Length(max=300),
        ],
    )
    unit_id = SelectField(
        _l("Ward, commune or special zone"),
        coerce=_optional_int,
        validators=[InputRequired(_l("Please choose where the enterprise is based."))],
    )
    sector_code = SelectField(
        _l("Main line of business (VSIC section)"),
        validators=[InputRequired(_l("Please choose the main line of business."))],
    )
    ownership = RadioField(
        _l("Type of enterprise"),
        choices=[SelectChoice(o.value, label) for o, label in OWNERSHIP_LABELS.items()],
        validators=[InputRequired(_l("Please choose the type of enterprise."))],
    )
    employees = IntegerField(
        _l("Employees (annual average, with social insurance)"),
        validators=[
            InputRequired(_l("Please enter a whole number of employees.")),
            NumberRange(min=0, max=1_000_000, message=_l("Please enter a number between 0 and 1,000,000.")),
        ],
    )
    revenue_bn = AmountField(
        _l("Revenue last year (billion VND)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message=_l("Please enter zero or more.")),
        ],
    )
    capital_bn = AmountField(
        _l("Total capital (billion VND)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message=_l("Please enter zero or more.")),
        ],
    )
    contact_name = StringField(
        _l("Contact person"),
        validators=[
            InputRequired(_l("Please enter a contact person.")),
            DataRequired(_l("Please enter a contact person.")),
            Length(max=120),
        ],
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[
            InputRequired(_l("Please enter an e-mail address.")),
            Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    contact_phone = TelField(
        _l("Contact phone"),
        validators=[
            InputRequired(_l("Please enter a phone number.")),
            Regexp(r"^\+?[0-9 .()-]+$", message=_l("A phone number has only digits, spaces and + . ( ) -.")),
            _phone_digits,
            Length(max=30, message=_l("Please enter at most 30 characters.")),
        ],
    )
    website = Honeypot(_l("Leave this field empty"))

    def __init__(
        self, *args, units: dict[str, list[tuple[int, str]]], sectors: list[tuple[str, str]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = units
        self.sector_code.choices = sectors

    def profile(self) -> dict:
        return {
            "firm_name": self.firm_name.data.strip(),
            "unit_id": self.unit_id.data,
            "sector_code": self.sector_code.data,
            "ownership": Ownership(self.ownership.data),
            "employees": self.employees.data,
            "revenue_vnd": _billions(self.revenue_bn.data),
            "capital_vnd": _billions(self.capital_bn.data),
            "contact_name": self.contact_name.data.strip(),
            "contact_email": self.contact_email.data.strip().lower(),
            "contact_phone": self.contact_phone.data.strip(),
        }

    @classmethod
    def data_from(cls, profile: dict) -> dict:
        """Form data from stored profile values (VND to billions)."""
        data = dict(profile)
        for field in ("revenue", "capital"):
            value = data.pop(f"{field}_vnd", None)
            data[f"{field}_bn"] = None if value is None else Decimal(value) / BILLION
        if data.get("ownership") is not None:
            data["ownership"] = getattr(data["ownership"], "value", data["ownership"])
        return data


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnswersForm(FlaskForm):
    """Base of the per-pillar forms; ``for_pillar`` adds one field per criterion."""

    criteria: ClassVar[tuple[Criterion, ...]] = ()

    @classmethod
    def for_pillar(cls, pillar: Pillar, lang: str) -> type[AnswersForm]:
        fields: dict = {"criteria": tuple(pillar.criteria)}
        for criterion in pillar.criteria:
            choices = [SelectChoice(o.code, o.label.get(lang)) for o in criterion.options]
            label = criterion.text.get(lang)
            if criterion.kind is Kind.MULTI:
                fields[criterion.code] = MultiCheckboxField(label, choices=choices, validate_choice=False)
            else:
                fields[criterion.code] = RadioField(label, choices=choices, validate_choice=False)
        return type(f"Pillar_{pillar.code}", (cls,), fields)

    def check(self, complete: bool) -> bool:
        """Validate CSRF and every answer; with ``complete``, every criterion must be answered.

        Unknown option codes are refused whatever the mode, so nothing but the framework's
        own options ever reaches the database.
        """
        ok = self.validate()
        for criterion in self.criteria:
            field = self[criterion.code]
            codes = {o.code for o in criterion.options}
            value = field.data
            chosen = value if isinstance(value, list) else ([value] if value else [])
            if any(code not in codes for code in chosen):
                field.errors.append(_l("Not one of the answers offered."))
            elif (
                criterion.kind is Kind.MULTI
                and len(chosen) > 1
                and any(o.points == 0 and o.code in chosen for o in criterion.options)
            ):
                field.errors.append(_l("An answer meaning “none” cannot be combined with other answers."))
            elif complete and not chosen and criterion.required:
                field.errors.append(_l("Please choose an answer."))
        return ok and not any(self[c.code].errors for c in self.criteria)

    def answers(self) -> dict:
        return {c.code: self[c.code].data for c in self.criteria}


class TechnologyForm(FlaskForm):
    technologies = MultiCheckboxField(_l("Technologies in use"), validate_choice=True)

    def __init__(self, *args, technologies: list[Technology], lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.technologies.choices = [SelectChoice(t.code, t.label.get(lang)) for t in technologies]


class SubmitForm(FlaskForm):
    """Only the CSRF token: submitting takes no other input."""
