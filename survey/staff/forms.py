"""Forms of the staff workspace.

Required free text needs two validators: InputRequired, for the field must be sent (a
form built on stored data would quietly keep the stored value), and DataRequired, which
takes text of nothing but spaces for no answer (it would be stored as an empty name,
note or reason).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey.auth.passwords import password_problem
from survey.fields import IntegerField
from survey.forms_i18n import TranslatedForm as FlaskForm  # WTForms' messages in our catalogue
from survey.i18n import KIND_LABELS
from survey.models import BusinessKind, Role
from survey.money import MoneyField

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ANALYST: _l("Analyst"),
    Role.VIEWER: _l("Viewer"),
}


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new(self, field) -> None:
        problem = password_problem(field.data or "", self._email)
        if problem:
            raise ValidationError(problem)


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for actions that take no input (deactivate, reset, open, …)."""


def _wave_years(form, field) -> None:
    # As for the year: a wave outside these years is a typing slip (and year 1 cannot
    # even be converted to UTC).
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Please enter a time between the years 2000 and 2100."))


class WaveForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), DataRequired(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    framework_version_id = SelectField(_l("Framework version"), coerce=int, validators=[InputRequired()])
    opens_at = DateTimeLocalField(
        _l("Opens (Hai Phong time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), _wave_years]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Hai Phong time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), _wave_years]
    )
    kinds = SelectMultipleField(
        _l("For these kinds of business"),
        choices=[SelectChoice(k.value, KIND_LABELS[k.value]) for k in BusinessKind],
        default=[k.value for k in BusinessKind],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one kind of business."))],
    )
    modules = SelectMultipleField(
        _l("Unscored modules"),
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_closes_at(self, field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("verified", _l("Verified")),
            SelectChoice("flagged", _l("Flagged: needs follow-up")),
            SelectChoice("rejected", _l("Rejected: excluded from all statistics")),
            SelectChoice("pending", _l("Reopen (back to pending)")),
        ],
        validators=[InputRequired()],
    )
    # No Optional(): it would stop the chain before validate_reason could ask for one.
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])
    version_id = HiddenField()

    def validate_reason(self, field) -> None:
        if self.decision.data in ("rejected", "pending") and not (field.data or "").strip():
            raise ValidationError(_l("A reason is required to reject or reopen a response."))


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Internal note"), validators=[InputRequired(), DataRequired(), Length(max=2000)])


class CorrectionForm(FlaskForm):
    """Profile data corrected by staff on the firm's behalf; answers are the firm's alone."""

    firm_name = StringField(
        _l("Enterprise name"), validators=[InputRequired(), DataRequired(), Length(max=300)]
    )
    unit_id = SelectField(_l("Ward, commune or special zone"), coerce=int, validators=[InputRequired()])
    sector_code = SelectField(_l("VSIC section"), validators=[InputRequired()])
    ownership = SelectField(_l("Type of enterprise"), validators=[InputRequired()])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    # Typed in billion đồng like the respondent's page, kept in whole đồng (survey/money.py).
    revenue_vnd = MoneyField(_l("Revenue (billion VND)"), validators=[Optional()])
    capital_vnd = MoneyField(_l("Total capital (billion VND)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[InputRequired(), DataRequired(), Length(max=500)]
    )
    version_id = HiddenField()
