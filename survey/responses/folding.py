"""Text folded for searching: no diacritics, no case, the same in Python and in SQL.

Staff search free text typed by respondents, who write Vietnamese with or without its
marks ("ha tang" for "hạ tầng"), in precomposed or decomposed form (some Vietnamese
keyboards send a letter then its combining marks), upper or lower case. Both sides of a
search are folded: the column in SQL (``folded``), the search term in Python (``fold``).

One table defines the folding, so the two cannot disagree: every Latin letter with marks
(Latin-1, Extended-A/B and Extended Additional, where Vietnamese's 134 letters are) maps to
its plain lowercase letter, "đ"/"Đ" to "d", A-Z to a-z, and the combining marks are
dropped. PostgreSQL applies it with ``translate()`` (no extension such as ``unaccent``
to install, and no dependence on the database's locale, as ``lower()`` would have);
SQLite has no ``translate()``, so the same Python function is registered on the
connection the query runs on (``prepare``).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import Text, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

#: The name the folding function has on SQLite connections.
SQLITE_FUNCTION = "survey_fold"
_RANGES = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
_COMBINING = range(0x0300, 0x0370)


def _table() -> tuple[str, str, str]:
    """(characters mapped, what they map to, characters dropped)."""
    source, target = [], []
    for char in "ĐđƉɖ":
        source.append(char)
        target.append("d")
    for code in (c for r in _RANGES for c in r):
        char = chr(code)
        if char in source:
            continue
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        if len(parts) > 1 and base.isascii() and base.isalpha() and all(ord(m) in _COMBINING for m in marks):
            source.append(char)
            target.append(base.lower())
    for code in range(ord("A"), ord("Z") + 1):
        source.append(chr(code))
        target.append(chr(code).lower())
    return "".join(source), "".join(target), "".join(chr(c) for c in _COMBINING)


MAPPED, PLAIN, DROPPED = _table()
_TRANSLATION = str.maketrans(MAPPED, PLAIN, DROPPED)


def fold(text: str | None) -> str | None:
    """``text`` without diacritics or case: "Hạ TẦNG" → "ha tang"."""
    return None if text is None else text.translate(_TRANSLATION)


class folded(FunctionElement):
    """``fold`` of a column, in SQL: ``folded(ModuleAnswer.text).like(...)``."""

    type = Text()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _translate(element, compiler, **kw) -> str:
    # translate(x, from, to) drops the characters of ``from`` past the end of ``to``.
    column = compiler.process(element.clauses, **kw)
    mapped = compiler.process(literal(MAPPED + DROPPED), **kw)
    plain = compiler.process(literal(PLAIN), **kw)
    return f"translate({column}, {mapped}, {plain})"


@compiles(folded, "sqlite")
def _sqlite(element, compiler, **kw) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


def prepare(session: Session) -> None:
    """Make ``folded`` work in ``session``'s next queries (on SQLite: register ``fold``).

    A SQLite function lives on one connection; registering it on the connection the
    session's transaction holds, just before the query, cannot miss one the pool opened
    before (and costs nothing: it replaces the same function).
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape ``\\``) finding the folded ``term`` anywhere."""
    plain = fold(term) or ""
    return "%" + plain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
