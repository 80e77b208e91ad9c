"""Form fields shared by the respondent's and the staff's forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField as _IntegerField

#: A whole number as people type it: ASCII digits, or groups of three after a space
#: (1 000 000). ``int()`` is laxer than a form should be: it reads full-width digits
#: ("９") and underscores ("1_000"), which a draft then kept and the scorer refused.
DIGITS = r"(?:[0-9]+|[0-9]{1,3}(?: [0-9]{3})+)"
WHOLE = re.compile(rf"-?{DIGITS}")


class IntegerField(_IntegerField):
    """WTForms' IntegerField, taking plain digits only and no more than any field can take.

    ``int()`` also reads thousands of digits, and NumberRange then fails to compare
    them (OverflowError when it converts them to float): a 500 instead of a message.
    """

    MAX_DIGITS = 20

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str) and valuelist[0].strip():
            text = valuelist[0].replace("\u00a0", " ").strip()
            if len(text) > self.MAX_DIGITS or not WHOLE.fullmatch(text):
                self.data = None
                raise ValueError(_l("Please enter a whole number, with digits only."))
            valuelist = [text.replace(" ", "")]
        super().process_formdata(valuelist)
