"""An administrator corrects one firm of the register: checked, conflict-safe, audited.

The values are checked by the register import's own rules (survey.registry.register_rows:
identifiers, units, sectors, amounts (survey.money), lengths), so a firm cannot be stored by hand in a
shape a file could not give it, and one identifier is never two firms.

Two administrators may open the same firm. The edit page carries a ``version`` of what
it showed (a digest of the firm's stored values); the save locks the firm's row, and if
the firm no longer has that version someone changed it meanwhile: nothing is written and
the page shows what is stored now beside what was typed, so nobody overwrites a change
they never saw. (The row lock matters on PostgreSQL; SQLite's writers are one at a time.)

The audit entry holds each changed field before and after, as other corrections do,
except personal data the register erases after retention (survey.maintenance): contact
details are named as changed without their values, and a personal ID is recorded masked,
so the trail, which is never erased, keeps none of them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import audit, money
from survey.models import AdminUnit, Enterprise, IdType
from survey.registry import identifiers
from survey.registry.register_format import FIELD_OF, MONEY_COLUMNS
from survey.registry.register_rows import Problem, Reference, RowChecker, _, text_of

#: What the edit form changes (Enterprise attributes).
EDITABLE = (
    "kind",
    "tax_code",
    "name",
    "unit_id",
    "sector_code",
    "ownership",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
)
#: Named in the audit as changed, never with their values (erased after retention).
UNRECORDED = frozenset({"contact_name", "contact_email", "contact_phone"})


class Conflict(Exception):
    """The firm changed after the editor loaded it."""


@dataclass
class Checked:
    """The form's values checked: ``values`` by Enterprise attribute, ``problems`` by column."""

    values: dict
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _plain(value):
    return getattr(value, "value", value)


def version(firm: Enterprise) -> str:
    """A digest of the firm's stored values: what an edit page showed."""
    state = [firm.id, *(_plain(getattr(firm, name)) for name in EDITABLE), _plain(firm.id_type)]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:32]


def locked(session: Session, firm_id: int) -> Enterprise | None:
    """The firm, read again from the database with its row locked until the commit."""
    return session.get(Enterprise, firm_id, with_for_update=True, populate_existing=True)


def check(session: Session, firm: Enterprise, cells: dict, labels: dict[str, str]) -> Checked:
    """Check the form's ``cells`` (by register column, as text) for ``firm``.

    A firm whose personal ID retention erased keeps its kind and its (missing)
    identifier: an edit cannot give a number back to a person the register forgot.
    """
    erased = firm.id_erased_at is not None and firm.tax_code is None
    if erased:
        cells = {**cells, "kind": firm.kind.value, "tax_code": "0"}
    clean, problems = RowChecker(Reference.load(session), labels).check(0, cells)
    for column in MONEY_COLUMNS:
        # The page shows a stored amount rounded (1,43); sent back untouched, it keeps
        # the exact stored value rather than the rounded one.
        stored = getattr(firm, FIELD_OF[column])
        if stored is not None and text_of(cells.get(column)) == money.format_billions(stored):
            clean[FIELD_OF[column]] = stored
            problems = [p for p in problems if p[0] != column]
    if erased:
        problems = [p for p in problems if p[0] not in ("tax_code", "kind")]
        clean.update(tax_code=None, id_type=firm.id_type, kind=firm.kind)
    elif clean["tax_code"] is not None:
        other = _same_identifier(session, firm, clean)
        if other is not None:
            problems.append(
                (
                    "tax_code",
                    _(
                        "another business of the register already has this identifier: %(name)s",
                        name=other.name,
                    ),
                )
            )
    return Checked(clean, problems)


def _same_identifier(session: Session, firm: Enterprise, clean: dict) -> Enterprise | None:
    """Another firm with the identifier (survey.registry.register_rows.match_key)."""
    stmt = select(Enterprise).where(Enterprise.tax_code == clean["tax_code"], Enterprise.id != firm.id)
    if clean["id_type"] is IdType.CCCD12:
        stmt = stmt.where(Enterprise.id_type == IdType.CCCD12, Enterprise.kind == clean["kind"])
    else:
        stmt = stmt.where(Enterprise.id_type != IdType.CCCD12)
    return session.scalars(stmt.limit(1)).first()


def stored_differences(firm: Enterprise, cells: dict, checked: Checked) -> dict[str, object]:
    """The fields (by register column) whose stored value differs from what was typed:
    what someone else changed, for the editor to see after a conflict."""
    shown = {}
    for column, attribute in FIELD_OF.items():
        if column not in cells or attribute not in EDITABLE:
            continue
        if checked.values.get(attribute) != getattr(firm, attribute):
            shown[column] = getattr(firm, attribute)
    return shown


def save(session: Session, firm: Enterprise, seen_version: str, values: dict) -> list[str]:
    """Store ``values`` (checked) on ``firm`` (locked), audited; the fields changed.

    Raises Conflict, writing nothing, when the firm is no longer the version the editor saw.
    """
    if not seen_version or seen_version != version(firm):
        raise Conflict
    size_before = firm.size_class
    for name in (*EDITABLE, "id_type"):
        if getattr(firm, name) != values[name]:
            setattr(firm, name, values[name])
    before, after = audit.changes(firm, (*EDITABLE, "id_type"))
    if not after:
        return []
    session.flush()  # the size class follows the new figures (survey.models.enterprise)
    if firm.size_class != size_before:
        before["size_class"], after["size_class"] = size_before, firm.size_class
    changed = sorted(after)
    audit.record(
        session,
        "register.edited",
        firm,
        before=_recordable(before, firm),
        after=_recordable(after, firm),
        changed=changed,
    )
    return changed


def _recordable(values: dict, firm: Enterprise) -> dict:
    """``values`` as the audit may keep them (see the module's docstring)."""
    kept = {}
    for name, value in values.items():
        if name in UNRECORDED:
            continue
        if name == "tax_code" and value is not None and len(str(value)) == 12:
            value = identifiers.mask(IdType.CCCD12, value)
        kept[name] = value
    return kept


def unit_code(session: Session, unit_id: int | None) -> str:
    if unit_id is None:
        return ""
    return session.scalar(select(AdminUnit.code).where(AdminUnit.id == unit_id)) or ""
