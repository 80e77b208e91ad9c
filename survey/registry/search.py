"""Finding businesses by name or identifier, without ever searching a whole personal ID.

A search term ends up in the address bar, the browser's history and the servers' logs,
so a whole 12-digit personal ID (Law 91/2025/QH15: personal data) is never searched: a
term holding one is refused (``holds_personal_id``) and the page asks for a name or the
last digits instead. Digits find tax codes by their start; personal IDs, for those who
see them in full (admins), by their start or their end, and for everyone else only by
what the mask shows (``031•••••••23``: the first three digits or the last two). Names are
matched without diacritics or case (survey.responses.folding), so "le chan" finds
"Lê Chân".

The rules are the list of responses' (survey.staff.response_query) applied to the
register; they live here, under the register, so that any page can use them.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, or_

from survey.models import Enterprise, IdType
from survey.responses.folding import folded, like_pattern

#: A whole personal ID, once spaces, dots and hyphens are taken out.
_WHOLE_PERSONAL_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
_SEPARATORS = str.maketrans("", "", " .-\u00a0")
#: How many digits of a masked personal ID anyone sees: the first three, the last two.
MASK_PREFIX, MASK_SUFFIX = 3, 2
#: The longest search term kept.
MAX_TERM = 100


def holds_personal_id(term: str) -> bool:
    """Whether a search holds a whole 12-digit personal ID (separators ignored)."""
    return bool(_WHOLE_PERSONAL_ID.search((term or "").translate(_SEPARATORS)))


def identifier_conditions(digits: str, personal_ids: bool) -> list[ColumnElement]:
    """``digits`` matched against tax codes (their start) and personal IDs (see the module)."""
    personal = Enterprise.id_type == IdType.CCCD12
    conditions = [and_(~personal, Enterprise.tax_code.like(digits[:10] + "%"))]
    if personal_ids:
        conditions += [
            and_(personal, Enterprise.tax_code.like(digits[:11] + "%")),
            and_(personal, Enterprise.tax_code.like("%" + digits[-11:])),
        ]
    else:
        if len(digits) <= MASK_PREFIX:
            conditions.append(and_(personal, Enterprise.tax_code.like(digits + "%")))
        if len(digits) <= MASK_SUFFIX:
            conditions.append(and_(personal, Enterprise.tax_code.like("%" + digits)))
    return conditions


def matches(term: str, personal_ids: bool) -> ColumnElement:
    """A business whose name holds ``term`` (diacritics and case aside) or whose identifier
    its digits find. Call ``folding.prepare`` on the session before running it."""
    conditions = [folded(Enterprise.name).like(like_pattern(term), escape="\\")]
    digits = "".join(ch for ch in term if ch.isascii() and ch.isdigit())
    if digits:
        conditions += identifier_conditions(digits, personal_ids)
    return or_(*conditions)
