"""Form fields shared by the respondent's and the staff's forms."""

from __future__ import annotations

from wtforms import IntegerField as _IntegerField


class IntegerField(_IntegerField):
    """WTForms' IntegerField, refusing numbers longer than any field can take.

    ``int()`` reads thousands of digits, and NumberRange then fails to compare them
    (OverflowError when it converts them to float): a 500 instead of a message.
    """

    MAX_DIGITS = 20

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str) and len(valuelist[0].strip()) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)
