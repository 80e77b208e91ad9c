"""The admin's form for one programme; its choices come from the vocabulary.

Every list is a set of checkboxes labelled in words; a code the vocabulary does not know
is refused as an invalid choice (WTForms checks posted values against the choices). The
link and date rules are the catalogue's (survey.support.catalogue), so the form and the
service can never disagree.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey.models import SupportProgramme
from survey.support import catalogue
from survey.support.vocabulary import LISTS, Vocabulary


def _sane_year(form, field) -> None:
    # A year outside these is a typing slip (year 1 or 20250), not a programme's date.
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Please enter a date between the years 2000 and 2100."))


def _level(value) -> int:
    """A level as posted: ASCII digits only (``int()`` also reads " 1" and "١")."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 2:
        return int(value)
    raise ValueError(value)


def _checkboxes(label, coerce=str) -> SelectMultipleField:
    return SelectMultipleField(
        label, coerce=coerce, choices=[], widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), DataRequired(), Length(max=300)])
    provider = StringField(_l("Provider"), validators=[InputRequired(), DataRequired(), Length(max=300)])
    offers = TextAreaField(
        _l("What it offers"), validators=[InputRequired(), DataRequired(), Length(max=4000)]
    )
    link = StringField(_l("Link (web address)"), validators=[Optional(), Length(max=500)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=300)])
    pillars = _checkboxes(_l("For these pillars"))
    levels = _checkboxes(_l("At these levels"), coerce=_level)
    sizes = _checkboxes(_l("For these sizes"))
    kinds = _checkboxes(_l("For these kinds of business"))
    needs = _checkboxes(_l("For these needs"))
    starts_on = DateField(_l("Runs from"), validators=[Optional(), _sane_year])
    ends_on = DateField(_l("Runs until"), validators=[Optional(), _sane_year])

    def __init__(self, vocabulary: Vocabulary, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LISTS:
            getattr(self, name).choices = [SelectChoice(c, label) for c, label in vocabulary.choices(name)]

    def validate_link(self, field) -> None:
        problem = catalogue.link_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    def validate_ends_on(self, field) -> None:
        problem = catalogue.dates_problem(self.starts_on.data, field.data)
        if problem:
            raise ValidationError(problem)

    def values(self) -> dict:
        """The form's data as the catalogue takes it."""
        return {name: getattr(self, name).data for name in catalogue.FIELDS}


def data_of(programme: SupportProgramme) -> dict:
    """A stored programme as the form's initial data."""
    return {name: getattr(programme, name) for name in catalogue.FIELDS}
