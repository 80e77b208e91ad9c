"""Password rules for staff accounts: applied wherever a password is chosen.

Length alone lets through ``password1234`` and ``qwertyuiop12``. Passwords are therefore
also measured with zxcvbn, which knows the 30,000 most common passwords of leaked lists,
English words, names, keyboard patterns, dates, sequences and repeats, and estimates how
many guesses a password built from them needs. A password it scores below
``MIN_STRENGTH`` (3 of 4: fewer than 10^10 guesses) is refused. The words of this
site (the city, the survey, "mật khẩu" without its marks) and the account's own e-mail
are added to its dictionaries, as its authors advise.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _

MIN_LENGTH = 12
#: zxcvbn's score runs 0 to 4; 3 means "safely unguessable" to an online attacker and
#: moderately safe against an offline one.
MIN_STRENGTH = 3
#: zxcvbn refuses longer input (its matching grows fast with the length); the first 72
#: characters of a strong longer password are strong too.
ZXCVBN_MAX_LENGTH = 72
#: Words a guesser of this site's passwords would try first.
SITE_WORDS = [
    "matkhau",
    "haiphong",
    "hai phong",
    "khaosat",
    "chuyendoiso",
    "chuyen doi so",
    "survey",
    "staff",
    "admin",
    "quantri",
    "vietnam",
]


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is too weak, in the user's language, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(count)d characters.", count=MIN_LENGTH)
    if len(set(password)) < 5:
        return _("The password repeats too few different characters.")
    local = email.split("@")[0].lower()
    if local and local in password.lower():
        return _("The password must not contain the e-mail address.")
    if is_guessable(password, email):
        return _(
            "This password is too easy to guess: it is a common password, or built from common "
            "words, names, dates or keyboard patterns. Please choose another, for example a few "
            "unrelated words."
        )
    return None


def is_guessable(password: str, email: str = "") -> bool:
    """Whether zxcvbn scores ``password`` below ``MIN_STRENGTH`` (see the module docstring).

    zxcvbn is imported here, when a password is first chosen: its dictionaries are 12 MiB
    of memory that an app process, which keeps whatever it imported, would otherwise hold
    from start-up in every worker though staff choose passwords rarely.
    """
    from zxcvbn import zxcvbn

    hints = [*SITE_WORDS, *(part for part in email.lower().replace("@", ".").split(".") if part)]
    return zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=hints)["score"] < MIN_STRENGTH


def reuse_problem(user, password: str) -> str | None:
    """Refuse setting the account's current password again (after a reset or a change)."""
    if user.check_password(password):
        return _("The new password must differ from the current one.")
    return None


def generate_password() -> str:
    """A random password that passes ``password_problem`` (about 96 bits)."""
    while True:
        password = secrets.token_urlsafe(12)
        # Random text of 16 characters is practically always strong; never hand out one
        # that the rules would refuse if it were typed.
        if len(set(password)) >= 5 and not is_guessable(password):
            return password
