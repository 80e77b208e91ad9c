"""Forms of the respondent journey. Choices that come from the database are passed in."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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
from survey.models import BusinessKind, Ownership
from survey.models.business import is_personal
from survey.money import MoneyField
from survey.registry import identifiers
from survey.scoring.definition import (
    NOT_APPLICABLE,
    Criterion,
    Framework,
    Kind,
    Pillar,
    Profile,
    SharedFigure,
    Technology,
)

TAX_CODE_MESSAGES = {
    "empty": _l("Please enter the tax code."),
    "format": _l("A tax code has only digits, with an optional branch suffix like -001."),
    "length": _l("A tax code has 10 digits, or 13 with a branch suffix (0100233488-001)."),
    "checksum": _l("This tax code's check digit does not match. Please check it against your registration."),
    "branch": _l("The branch suffix must be between 001 and 999."),
    "personal_for_enterprise": _l(
        "This looks like a 12-digit personal ID. If this is a household or individual business, "
        "choose that kind above; an enterprise or cooperative uses its 10-digit tax code."
    ),
    "branch_for_enterprise": _l(
        "This is a 13-digit branch code. If you answer for a branch, choose \u201ca branch\u201d above; "
        "otherwise enter the enterprise's 10-digit tax code."
    ),
    "enterprise_for_branch": _l(
        "A branch uses its own 13-character code: the enterprise's 10 digits and a 3-digit "
        "suffix, e.g. 0100233488-001."
    ),
}
#: A household or individual business gives its representative's personal ID (Circular
#: 86/2024/TT-BTC): each thing that can be wrong with one has its own message.
PERSONAL_ID_MESSAGES = {
    "empty": _l("Please enter the representative's 12-digit personal ID."),
    "format": _l("A personal ID has only digits."),
    "length": _l("A personal ID has 12 digits, as printed on the citizen identity card."),
    "province": _l(
        "The first three digits of a personal ID are the code of the province where the birth was "
        "registered, and these are not one. Please check the number."
    ),
    "century": _l(
        "The fourth digit of a personal ID gives the century of birth and sex (0 to 3 for anyone "
        "born since 1900). Please check the number."
    ),
    "birth_year": _l(
        "Digits 5 and 6 of a personal ID are the year of birth, and this number gives a "
        "representative too young to run a business. Please check the number."
    ),
    "tax_code_for_person": _l(
        "Since 1 July 2025 a household or individual business uses its representative's 12-digit "
        "personal ID as its tax code. Please enter that number."
    ),
}
#: The kinds of business, in plain words, with what each one types.
KIND_LABELS = {
    BusinessKind.ENTERPRISE: _l("An enterprise (a company or private enterprise)"),
    BusinessKind.BRANCH: _l("A branch or other dependent unit of an enterprise"),
    BusinessKind.COOPERATIVE: _l("A cooperative"),
    BusinessKind.HOUSEHOLD: _l("A household business (hộ kinh doanh)"),
    BusinessKind.INDIVIDUAL: _l("An individual doing business on their own"),
}
KIND_HINTS = {
    BusinessKind.ENTERPRISE: _l("Uses its 10-digit tax code."),
    BusinessKind.BRANCH: _l("Uses its 13-character code, e.g. 0100233488-001."),
    BusinessKind.COOPERATIVE: _l("Uses its 10-digit tax code."),
    BusinessKind.HOUSEHOLD: _l("Uses the 12-digit personal ID of its representative."),
    BusinessKind.INDIVIDUAL: _l("Uses your 12-digit personal ID."),
}
OWNERSHIP_LABELS = {
    Ownership.PRIVATE: _l("Private domestic enterprise"),
    Ownership.STATE: _l("State-owned enterprise"),
    Ownership.FOREIGN: _l("Foreign-invested enterprise"),
    Ownership.COOPERATIVE: _l("Cooperative"),
    Ownership.HOUSEHOLD: _l("Household business"),
}
#: Kinds whose ownership is not asked: it follows from the kind.
FIXED_OWNERSHIP = {
    BusinessKind.COOPERATIVE: Ownership.COOPERATIVE,
    BusinessKind.HOUSEHOLD: Ownership.HOUSEHOLD,
    BusinessKind.INDIVIDUAL: Ownership.HOUSEHOLD,
}
ENTERPRISE_OWNERSHIP = (Ownership.PRIVATE, Ownership.STATE, Ownership.FOREIGN)


class Honeypot(StringField):
    """A field people never see or fill; bots that fill every input give themselves away."""

    def pre_validate(self, form):
        if self.data:
            raise ValidationError(_l("This form could not be accepted."))


#: What a typed figure may look like: ASCII digits and one decimal comma or point.
#: Decimal() is laxer than a form should be: it reads full-width digits ("９"),
#: underscores ("1_000") and exponents ("1e-400"), which a draft then kept and the
#: scorer refused. (Amounts of money have their own parser: survey/money.py.)
PLAIN_NUMBER = re.compile(r"[0-9]+([.,][0-9]+)?")


def _phone_digits(form, field) -> None:
    digits = sum(ch.isdigit() for ch in field.data or "")
    if not 8 <= digits <= 15:
        raise ValidationError(_l("Please enter a phone number of 8 to 15 digits."))


def identifier_message(kind: BusinessKind | str, reason: str):
    table = PERSONAL_ID_MESSAGES if is_personal(kind) else TAX_CODE_MESSAGES
    return table[reason]


class IdentifiedForm(FlaskForm):
    """What kind of business answers, and the identifier that kind uses.

    The kind comes first and is preselected on "enterprise", the most common; a household
    that types its 12-digit ID under it is told to choose its kind, not refused blindly.
    """

    kind = RadioField(
        _l("What kind of business is it?"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default=BusinessKind.ENTERPRISE.value,
        # DataRequired, not InputRequired: a client that sends no kind means the default.
        validators=[DataRequired(_l("Please choose what kind of business this is."))],
    )
    tax_code = StringField(_l("Tax code, or the representative's personal ID"), validators=[Length(max=40)])

    def validate_tax_code(self, field: Field) -> None:
        kinds = {k.value for k in BusinessKind}
        kind = self.kind.data if self.kind.data in kinds else BusinessKind.ENTERPRISE
        try:
            self.id_type, field.data = identifiers.normalise(kind, field.data or "")
        except identifiers.IdentifierError as exc:
            raise ValidationError(identifier_message(kind, exc.reason)) from None

    @property
    def business_kind(self) -> BusinessKind:
        return BusinessKind(self.kind.data)


class StartForm(IdentifiedForm):
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that the business's data, the contact "
            "person's details and the answers are processed as it describes."
        ),
        validators=[InputRequired(message=_l("Please agree to the privacy notice to continue."))],
    )
    website = Honeypot(_l("Leave this field empty"))


def _email_field(label, missing) -> EmailField:
    """A required e-mail address, checked for its form only (no DNS look-up)."""
    return EmailField(
        label,
        validators=[
            InputRequired(missing),
            Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )


class RecoverForm(IdentifiedForm):
    """Ask for a one-time link to an assessment begun earlier (the resume link was lost)."""

    contact_email = _email_field(
        _l("The contact e-mail address given in the assessment"), _l("Please enter the e-mail address.")
    )
    website = Honeypot(_l("Leave this field empty"))


def _optional_int(value) -> int | None:
    """Coerce a unit id, with the empty placeholder meaning "not chosen"."""
    return None if value in ("", None) else int(value)


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
    # Shown and typed in billion đồng, kept in whole đồng (survey/money.py).
    revenue_bn = MoneyField(_l("Revenue last year (billion VND)"), validators=[Optional()])
    capital_bn = MoneyField(_l("Total capital (billion VND)"), validators=[Optional()])
    contact_name = StringField(
        _l("Contact person"),
        validators=[
            InputRequired(_l("Please enter a contact person.")),
            DataRequired(_l("Please enter a contact person.")),
            Length(max=120),
        ],
    )
    contact_email = _email_field(_l("Contact e-mail"), _l("Please enter an e-mail address."))
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
        self,
        *args,
        units: dict[str, list[tuple[int, str]]],
        sectors: list[tuple[str, str]],
        kind: BusinessKind = BusinessKind.ENTERPRISE,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = units
        self.sector_code.choices = sectors
        self.kind = BusinessKind(kind)
        # A household or individual business has no Decree 80 class, so no capital to
        # ask; its ownership, and a cooperative's, follow from its kind.
        if self.kind in FIXED_OWNERSHIP:
            del self.ownership
        else:
            self.ownership.choices = [c for c in self.ownership.choices if c.value in ENTERPRISE_OWNERSHIP]
        if is_personal(self.kind):
            del self.capital_bn
            self.firm_name.label.text = _l("Business name")
            self.contact_name.label.text = _l("Representative (the owner or head of the household)")
            self.employees.label.text = _l("People working in the business, the owner included")

    def profile(self) -> dict:
        return {
            "firm_name": self.firm_name.data.strip(),
            "unit_id": self.unit_id.data,
            "sector_code": self.sector_code.data,
            "ownership": FIXED_OWNERSHIP.get(self.kind) or Ownership(self.ownership.data),
            "employees": self.employees.data,
            "revenue_vnd": self.revenue_bn.data,
            "capital_vnd": self.capital_bn.data if "capital_bn" in self else None,
            "contact_name": self.contact_name.data.strip(),
            "contact_email": self.contact_email.data.strip().lower(),
            "contact_phone": self.contact_phone.data.strip(),
        }

    @classmethod
    def data_from(cls, profile: dict) -> dict:
        """Form data from stored profile values (the money fields take whole đồng)."""
        data = dict(profile)
        for field in ("revenue", "capital"):
            data[f"{field}_bn"] = data.pop(f"{field}_vnd", None)
        if data.get("ownership") is not None:
            data["ownership"] = getattr(data["ownership"], "value", data["ownership"])
        return data


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(code: str) -> str:
    """The form field of a criterion or shared figure: ``1.1.1`` becomes ``c1_1_1``."""
    return code if code.isalnum() or "_" in code else "c" + code.replace(".", "_")


def figure_name(code: str, part: str) -> str:
    return f"{field_name(code)}__{part}"


def parse_figure(raw: str | None) -> tuple[str | None, str | None]:
    """(normalised decimal string, error) for what a respondent typed as a figure.

    Spaces are ignored and a decimal comma is read as a point (2,5 = 2.5); thousands
    separators are refused with a message rather than guessed, since "1.500" is 1.5 in
    English and 1,500 in Vietnamese.
    """
    text = (raw or "").replace(" ", "").replace("\u00a0", "")
    if not text:
        return None, None
    if not PLAIN_NUMBER.fullmatch(text):
        return None, _l("Type a number with digits only, without thousands separators: 1500000 or 2,5.")
    whole, _, fraction = text.replace(",", ".").partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    if len(whole) > 15 or len(fraction) > 4:
        return None, _l("At most 15 digits before the decimal point and 4 after it.")
    return whole + (f".{fraction}" if fraction else ""), None


class AnswersForm(FlaskForm):
    """Base of the per-page forms; ``for_pillar`` adds the fields of one pillar.

    Choice criteria (single, level, scale) are one radio group each: for a *level*
    criterion its "no" answer comes first, then its descriptors, so it works without
    script. A figure criterion has a numerator box and, unless it divides by a shared
    figure, a denominator box; the shared figures a page needs come first on it.
    """

    criteria: ClassVar[tuple[Criterion, ...]] = ()
    shared: ClassVar[tuple[SharedFigure, ...]] = ()
    allow_na: ClassVar[bool] = False

    @classmethod
    def for_pillar(
        cls, framework: Framework, pillar: Pillar, lang: str, profile: Profile | None = None
    ) -> type[AnswersForm]:
        criteria = tuple(c for c in pillar.criteria if framework.applicable(pillar, c, profile))
        bases = list(dict.fromkeys(c.base for c in criteria if c.base))
        fields: dict = {
            "criteria": criteria,
            "shared": tuple(framework.figure(b) for b in bases),
            "allow_na": framework.allows_not_applicable,
        }
        for figure in fields["shared"]:
            fields[field_name(figure.code)] = StringField(figure.label.get(lang))
        na = [SelectChoice(NOT_APPLICABLE, _l("Not applicable"))] if framework.allows_not_applicable else []
        for criterion in criteria:
            label = criterion.text.get(lang)
            name = field_name(criterion.code)
            if criterion.kind is Kind.FIGURE:
                fields[figure_name(criterion.code, "value")] = StringField(criterion.numerator.get(lang))
                if criterion.denominator is not None:
                    fields[figure_name(criterion.code, "of")] = StringField(criterion.denominator.get(lang))
                continue
            choices = [SelectChoice(o.code, o.label.get(lang)) for o in criterion.options]
            if criterion.kind is Kind.MULTI:
                fields[name] = MultiCheckboxField(label, choices=choices, validate_choice=False)
            else:
                fields[name] = RadioField(label, choices=choices + na, validate_choice=False)
        return type(f"Pillar_{pillar.code}", (cls,), fields)

    @classmethod
    def initial(cls, answers: dict) -> dict:
        """Form data from stored answers."""
        data: dict = {}
        for figure in cls.shared:
            data[field_name(figure.code)] = answers.get(figure.code)
        for criterion in cls.criteria:
            answer = answers.get(criterion.code)
            if criterion.kind is Kind.FIGURE:
                parts = answer if isinstance(answer, dict) else {}
                for part in ("value", "of"):
                    data[figure_name(criterion.code, part)] = parts.get(part)
            else:
                data[field_name(criterion.code)] = answer
        return data

    def field_of(self, code: str):
        return self[field_name(code)]

    def check(self, complete: bool) -> bool:
        """Validate CSRF and every answer; with ``complete``, every criterion must be answered.

        Unknown option codes are refused whatever the mode, so nothing but the framework's
        own options ever reaches the database; figures must be numbers, and no part may
        be larger than its whole.
        """
        ok = self.validate()
        self._figures: dict[str, str | None] = {}
        for figure in self.shared:
            field = self[field_name(figure.code)]
            self._figures[figure.code], error = parse_figure(field.data)
            if error:
                field.errors.append(error)
            elif complete and self._figures[figure.code] is None:
                field.errors.append(_l("Please enter a number (0 if there is none)."))
        for criterion in self.criteria:
            if criterion.kind is Kind.FIGURE:
                self._check_figure(criterion, complete)
                continue
            field = self[field_name(criterion.code)]
            codes = {o.code for o in criterion.options} | ({NOT_APPLICABLE} if self.allow_na else set())
            value = field.data
            chosen = value if isinstance(value, list) else ([value] if value else [])
            if any(code not in codes for code in chosen):
                field.errors.append(_l("Not one of the answers offered."))
            elif len(set(chosen)) != len(chosen):
                field.errors.append(_l("The same answer was sent twice."))
            elif (
                criterion.kind is Kind.MULTI
                and len(chosen) > 1
                and any(o.points == 0 and o.code in chosen for o in criterion.options)
            ):
                field.errors.append(_l("An answer meaning “none” cannot be combined with other answers."))
            elif complete and not chosen and criterion.required:
                field.errors.append(_l("Please choose an answer."))
        return ok and not any(f.errors for f in self if f.name != "csrf_token")

    def _check_figure(self, criterion: Criterion, complete: bool) -> None:
        value_field = self[figure_name(criterion.code, "value")]
        value, error = parse_figure(value_field.data)
        if error:
            value_field.errors.append(error)
            return
        if criterion.base:
            of, of_field = self._figures.get(criterion.base), None
        else:
            of_field = self[figure_name(criterion.code, "of")]
            of, error = parse_figure(of_field.data)
            if error:
                of_field.errors.append(error)
                return
        self._figures[criterion.code] = value
        if of_field is not None:
            self._figures[criterion.code + "/of"] = of
        if value is not None and of is not None and Decimal(value) > Decimal(of):
            value_field.errors.append(_l("This cannot be larger than the total it is a part of."))
        elif complete and criterion.required and (value is None or (of_field is not None and of is None)):
            (value_field if value is None else of_field).errors.append(
                _l("Please enter a number (0 if there is none).")
            )

    def answer_codes(self) -> list[str]:
        """The answers codes this page owns (its criteria and shared figures)."""
        return [f.code for f in self.shared] + [c.code for c in self.criteria]

    def answers(self) -> dict:
        result: dict = {f.code: self._figures.get(f.code) for f in self.shared}
        for criterion in self.criteria:
            if criterion.kind is Kind.FIGURE:
                parts = {"value": self._figures.get(criterion.code)}
                if not criterion.base:
                    parts["of"] = self._figures.get(criterion.code + "/of")
                parts = {k: v for k, v in parts.items() if v is not None}
                result[criterion.code] = parts or None
            else:
                result[criterion.code] = self[field_name(criterion.code)].data
        return result


class TechnologyForm(FlaskForm):
    technologies = MultiCheckboxField(_l("Technologies in use"), validate_choice=True)

    def __init__(self, *args, technologies: list[Technology], lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.technologies.choices = [SelectChoice(t.code, t.label.get(lang)) for t in technologies]


class SubmitForm(FlaskForm):
    """Only the CSRF token: submitting takes no other input."""
