"""Password rules for staff accounts."""

from __future__ import annotations

import secrets

MIN_LENGTH = 12


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is too weak, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(set(password)) < 5:
        return "The password repeats too few different characters."
    if email and email.split("@")[0].lower() in password.lower():
        return "The password must not contain the email address."
    return None


def generate_password() -> str:
    """A random password that passes ``password_problem`` (about 96 bits)."""
    return secrets.token_urlsafe(12)
