"""Keeping the catalogue: create, edit, withdraw and restore a programme. Flushes, never commits.

Every change is audited with the values before and after it (``support.created``,
``support.edited``, ``support.withdrawn``, ``support.restored``). A programme is never
deleted: withdrawn, it matches no one and stays for the audit trail. The rules are
checked here whoever calls (the form checks the same ones to put each message next to
its field): a link is an http or https address, a programme ends on or after the day it
starts, and every list holds codes the vocabulary knows.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey import audit
from survey.models import SupportProgramme
from survey.support.vocabulary import LISTS, Vocabulary

TEXTS = ("name", "provider", "offers", "link", "contact")
OPTIONAL_TEXTS = frozenset({"link", "contact"})
FIELDS = (*TEXTS, *LISTS, "starts_on", "ends_on")


class ProgrammeRefused(ValueError):
    """Values the catalogue's rules refuse; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def link_problem(link: str | None) -> str | None:
    """Why ``link`` cannot be a programme's link, or None (no link is fine).

    Only web addresses: a ``javascript:`` or ``data:`` link on the result page would run
    in the respondent's browser, and a ``mailto:`` belongs in the contact.
    """
    if not link:
        return None
    try:
        parts = urlsplit(link)
        hostname = parts.hostname
    except ValueError:  # "https://[::1": an opened bracket never closed
        parts, hostname = None, None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not hostname
        or any(c.isspace() for c in link)
    ):
        return _("Give a web address starting with http:// or https://.")
    return None


def dates_problem(starts_on: date | None, ends_on: date | None) -> str | None:
    if starts_on and ends_on and ends_on < starts_on:
        return _("A programme cannot end before it starts.")
    return None


def problems(values: dict, vocabulary: Vocabulary) -> dict[str, str]:
    """Each field of ``values`` the rules refuse, with the reason."""
    found: dict[str, str] = {}
    for name in ("name", "provider", "offers"):
        if not (values.get(name) or "").strip():
            found[name] = _("This field is required.")
    if problem := link_problem(values.get("link")):
        found["link"] = problem
    if problem := dates_problem(values.get("starts_on"), values.get("ends_on")):
        found["ends_on"] = problem
    for name in LISTS:
        known = vocabulary.codes(name)
        if any(code not in known for code in values.get(name) or ()):
            found[name] = _("Choose from the options shown.")
    return found


def _clean(values: dict, vocabulary: Vocabulary) -> dict:
    """``values`` as stored: texts stripped, empty optional texts None, lists in display order."""
    clean: dict = {}
    for name in TEXTS:
        text = (values.get(name) or "").strip()
        clean[name] = (text or None) if name in OPTIONAL_TEXTS else text
    for name in LISTS:
        chosen = set(values.get(name) or ())
        # In the vocabulary's order, so that an unchanged choice is no change in the audit.
        clean[name] = [code for code in vocabulary.codes(name) if code in chosen]
    clean["starts_on"] = values.get("starts_on")
    clean["ends_on"] = values.get("ends_on")
    return clean


def _checked(values: dict, vocabulary: Vocabulary) -> dict:
    clean = _clean(values, vocabulary)
    found = problems({**values, **{k: clean[k] for k in TEXTS}}, vocabulary)
    if found:
        raise ProgrammeRefused(found)
    return clean


def snapshot(programme: SupportProgramme) -> dict:
    return {name: getattr(programme, name) for name in (*FIELDS, "active")}


def create(session: Session, values: dict, vocabulary: Vocabulary) -> SupportProgramme:
    """A new, active programme from ``values`` (``FIELDS``); audited."""
    programme = SupportProgramme(**_checked(values, vocabulary), active=True)
    session.add(programme)
    session.flush()
    audit.record(session, "support.created", programme, after=snapshot(programme))
    return programme


def edit(session: Session, programme: SupportProgramme, values: dict, vocabulary: Vocabulary) -> bool:
    """Change ``programme`` to ``values``; False (and no audit line) if nothing changed."""
    for name, value in _checked(values, vocabulary).items():
        setattr(programme, name, value)
    before, after = audit.changes(programme, FIELDS)
    if not after:
        return False
    audit.record(session, "support.edited", programme, before=before, after=after)
    session.flush()
    return True


def set_active(session: Session, programme: SupportProgramme, active: bool) -> bool:
    """Withdraw (``active=False``) or restore a programme; False if it was so already."""
    if programme.active == active:
        return False
    audit.record(
        session,
        "support.restored" if active else "support.withdrawn",
        programme,
        before={"active": programme.active},
        after={"active": active},
    )
    programme.active = active
    session.flush()
    return True
