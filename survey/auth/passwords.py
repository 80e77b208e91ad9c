"""Password rules for staff accounts."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _

MIN_LENGTH = 12


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is too weak, in the user's language, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(count)d characters.", count=MIN_LENGTH)
    if len(set(password)) < 5:
        return _("The password repeats too few different characters.")
    if email and email.split("@")[0].lower() in password.lower():
        return _("The password must not contain the e-mail address.")
    return None


def generate_password() -> str:
    """A random password that passes ``password_problem`` (about 96 bits)."""
    return secrets.token_urlsafe(12)
