"""Audit events in words: the action, what it was done to, and each change as a person reads it.

The audit trail keeps codes and JSON (survey.audit), which machines and a later inquiry
need exactly. A person reads "Review state: Awaiting review → Verified", never
``{"before": {"review_state": "pending"}}``: each field is named by the label catalogue
(``AUDIT_FIELD``), each coded value by its table, an id by what it stands for (a unit by
its name, a wave by its name), a time in local time, an amount in billion đồng.

The names a page's events need (units, sectors, waves, …) are read in one query each by
``Names.for_events``, so that ``describe`` itself is plain code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import labels
from survey.models import AdminUnit, AuditEvent, Enterprise, FrameworkVersion, Sector, StaffUser, Wave
from survey.support.vocabulary import Vocabulary, vocabulary
from survey.timezone import LOCAL

#: Fields whose values are codes of a kind of the label catalogue.
CODED = {
    "review_state": "review_state",
    "role": "role",
    "ownership": "ownership",
    "size_class": "size_class",
    "method": "entry_method",
    "choice": "takeover_choice",
    "sizes": "size_class",
    "kinds": "business_kind",
    "kind": "business_kind",
    "scope": "role",
    "id_type": "id_type",
}
#: The support catalogue's lists whose codes its vocabulary names.
SUPPORT_LISTS = frozenset({"pillars", "levels", "needs"})
#: The state of what, by the event's object type.
STATE_KIND = {"waves": "wave_state", "responses": "state", "export_jobs": "job_state"}
#: Fields holding a time, recorded as ISO text.
TIMES = frozenset({"opens_at", "closes_at", "expires_at"})
#: Fields holding an amount in đồng.
AMOUNTS = frozenset({"revenue_vnd", "capital_vnd"})
#: Details listed first, in this order; any other follows in the order recorded.
ORDER = ("review_state", "review_reason", "state", "role", "active", "email", "name")


@dataclass(frozen=True)
class Names:
    """What the ids and codes of a page's events stand for, in the reader's language."""

    units: Mapping[int, str] = field(default_factory=dict)
    unit_codes: Mapping[str, str] = field(default_factory=dict)
    sectors: Mapping[str, str] = field(default_factory=dict)
    waves: Mapping[int, str] = field(default_factory=dict)
    versions: Mapping[int, str] = field(default_factory=dict)
    firms: Mapping[int, str] = field(default_factory=dict)
    accounts: Mapping[int, str] = field(default_factory=dict)
    #: The support catalogue's lists (pillars, levels, needs), when a page has its events.
    support: Vocabulary | None = None

    @classmethod
    def for_events(cls, session: Session, events: Iterable[AuditEvent], english: bool = False) -> Names:
        events = list(events)
        wanted: dict[str, set] = {"unit_id": set(), "wave_id": set(), "framework_version_id": set(),
                                  "enterprise_id": set()}  # fmt: skip
        for event in events:
            for values in _levels(event.details or {}):
                for key in wanted:
                    if isinstance(values.get(key), int):
                        wanted[key].add(values[key])
        waves = {e.object_id for e in events if e.object_type == "waves"}
        wave_ids = wanted["wave_id"] | {int(i) for i in waves if _number(i)}
        accounts = {
            int(e.object_id) for e in events if e.object_type == "staff_users" and _number(e.object_id)
        }
        units = session.execute(select(AdminUnit.id, AdminUnit.code, AdminUnit.name_vi)).all()
        return cls(
            units={i: name for i, _code, name in units},
            unit_codes={code: name for _i, code, name in units},
            sectors={s.code: s.name_en if english else s.name_vi for s in session.scalars(select(Sector))},
            waves=_by_id(session, Wave.id, Wave.name, wave_ids),
            versions={
                v.id: v.label
                for v in session.scalars(
                    select(FrameworkVersion).where(FrameworkVersion.id.in_(wanted["framework_version_id"]))
                )
            },
            firms=_by_id(session, Enterprise.id, Enterprise.name, wanted["enterprise_id"]),
            accounts=_by_id(session, StaffUser.id, StaffUser.email, accounts),
            support=vocabulary(session)
            if any(e.object_type == "support_programmes" for e in events)
            else None,
        )


def _number(text: str | None) -> bool:
    return bool(text) and text.isdigit()


def _by_id(session: Session, id_column, name_column, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(id_column, name_column).where(id_column.in_(ids))).all())


def _levels(details: Mapping) -> list[Mapping]:
    """The details and their before and after: where fields and their values are."""
    found = [details]
    for side in ("before", "after"):
        if isinstance(details.get(side), Mapping):
            found.append(details[side])
    return found


@dataclass(frozen=True)
class Described:
    """One audit event as the log shows it."""

    action: str
    object: str
    #: (field in words, value in words), e.g. ("Review state", "Awaiting review → Verified").
    lines: list[tuple[str, str]]


def action_words(action: str) -> str:
    return labels.label(action, "audit_action")


def object_words(event: AuditEvent, names: Names) -> str:
    if not event.object_type:
        return ""
    kind = labels.label(event.object_type, "audit_object")
    if event.object_id is None:
        return kind
    identifier = int(event.object_id) if _number(event.object_id) else None
    name = {"waves": names.waves, "staff_users": names.accounts}.get(event.object_type, {}).get(identifier)
    if name:
        return f"{kind}: {name}"
    return _("%(kind)s no. %(id)s", kind=kind, id=event.object_id)


def field_words(name: str, object_type: str | None = None) -> str:
    if name == "state" and object_type == "waves":
        name = "wave_state"
    return labels.label(name, "audit_field")


def value_words(name: str, value, names: Names, object_type: str | None = None) -> str:
    """One recorded value in words (``value`` as survey.audit recorded it: plain JSON)."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value_words(name, item, names, object_type) for item in value)
    if isinstance(value, Mapping):
        if name == "filters":
            pairs = labels.filter_words(value, names.unit_codes, names.sectors)
            return "; ".join(f"{key}: {shown}" for key, shown in pairs) or _("none: the whole wave")
        return "; ".join(f"{field_words(k)}: {value_words(k, v, names)}" for k, v in value.items())
    if name == "state" and object_type in STATE_KIND:
        return labels.label(value, STATE_KIND[object_type])
    if name == "kind" and object_type == "instrument_drafts":
        return labels.label(value, "instrument_kind")
    if name in CODED:
        return labels.label(value, CODED[name])
    if name in SUPPORT_LISTS and object_type == "support_programmes" and names.support is not None:
        return names.support.label(name, value)
    lookups = {
        "unit_id": names.units,
        "wave_id": names.waves,
        "framework_version_id": names.versions,
        "enterprise_id": names.firms,
    }
    if name in lookups and isinstance(value, int):
        return lookups[name].get(value) or _("no. %(id)s", id=value)
    if name == "sector_code" and value in names.sectors:
        return f"{value} – {names.sectors[value]}"
    if name in TIMES and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value).astimezone(LOCAL), "short")
        except ValueError:
            return value
    if name in AMOUNTS and isinstance(value, int):
        return _("%(amount)s billion VND", amount=format_decimal(value / 10**9, "#,##0.###"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value)
    return str(value)


def describe(event: AuditEvent, details: Mapping, names: Names) -> Described:
    """``event`` in words; ``details`` as the reader may see them (survey.staff.access.
    visible_details hides notes and reasons from viewers)."""
    kind = event.object_type
    before = details.get("before") if isinstance(details.get("before"), Mapping) else {}
    after = details.get("after") if isinstance(details.get("after"), Mapping) else {}
    changed = [*before, *(k for k in after if k not in before)]
    lines = []
    for name in _ordered(changed):
        if name in before and name in after:
            old, new = (value_words(name, side[name], names, kind) for side in (before, after))
            shown = f"{old} → {new}"
        else:
            shown = value_words(name, after.get(name, before.get(name)), names, kind)
        lines.append((field_words(name, kind), shown))
    rest = [k for k in details if k not in ("before", "after")]
    for name in _ordered(rest):
        value = details[name]
        if name == "changed" and isinstance(value, list):  # the names of the fields changed
            lines.append((field_words("fields_changed"), ", ".join(field_words(f, kind) for f in value)))
            continue
        lines.append((field_words(name, kind), value_words(name, value, names, kind)))
    return Described(action_words(event.action), object_words(event, names), lines)


def _ordered(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), keys.index(k)))
