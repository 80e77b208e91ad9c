"""WTForms' own messages ("This field is required.", "Not a valid decimal value.") in the
reader's language, from the app's own message catalogue.

Flask-WTF translates WTForms' messages with WTForms' catalogue (``WTF_I18N_ENABLED``,
on by default), and that catalogue has no Vietnamese: a Vietnamese page showed them in
English. ``TranslatedForm`` gives its forms the app's catalogue instead (Flask-Babel's,
in the request's language); the messages are listed in ``MESSAGES`` so that pybabel
extracts them and translators see them with the rest. Forms derive from
``TranslatedForm`` rather than ``FlaskForm``; everything else of Flask-WTF (CSRF, files)
is unchanged.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

#: WTForms' messages a form of ours can show, marked for extraction (their wording is
#: WTForms', so a msgid here matches what WTForms asks the catalogue for).
MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Choices cannot be None."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
)


def _plural_messages(ngettext) -> None:
    """Never called: it shows pybabel WTForms' messages with a plural (``ngettext``)."""
    ngettext(
        "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1
    )
    ngettext(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1
    )
    ngettext(
        "Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1
    )
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )


class _Catalogue:
    """The translations object WTForms asks (``gettext``/``ngettext``), answering from
    Flask-Babel's catalogue of the request's language. No formatting here: WTForms fills
    in its placeholders itself, after translating."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOGUE = _Catalogue()


class TranslatedForm(FlaskForm):
    """A Flask-WTF form whose built-in messages come from the app's catalogue."""

    class Meta:
        def get_translations(self, form):
            return CATALOGUE
