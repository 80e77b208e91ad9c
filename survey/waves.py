"""Survey waves: create, edit (fully only while empty), open and close. Flushes, never commits.

A wave's responses were answered under its framework version and in its time window, so
once it has any, only its name and closing time may change (``EDITABLE_WITH_RESPONSES``);
the staff page greys the other fields out, and this module refuses them whoever asks.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey import audit, frameworks, i18n
from survey.models import BusinessKind, FrameworkVersion, ModuleVersion, Response, Wave, WaveModule, WaveState
from survey.modules import module_of

FIELDS = ("name", "year", "framework_version_id", "opens_at", "closes_at", "kinds")
#: Fields that stay editable once a wave has responses (its framework version never does).
EDITABLE_WITH_RESPONSES = frozenset({"name", "closes_at"})


class WaveError(ValueError):
    """A change the wave rules forbid; the message says why, in the user's language."""


class NameTaken(WaveError):
    """Another wave has this name (names are unique)."""

    def __init__(self):
        super().__init__(_("A wave with this name exists."))


class Overlap(WaveError):
    """Another open wave for one of the same kinds of business runs at the same time: the
    start page could not tell a business which of the two is its own."""

    def __init__(self, other: Wave, kinds: list[str]):
        self.other, self.kinds = other, kinds
        super().__init__(
            _(
                "The open wave \u201c%(wave)s\u201d runs at the same time for %(kinds)s: a business "
                "must never see two. Change the dates or the kinds of business, or close that wave.",
                wave=other.name,
                kinds=", ".join(str(i18n.kind_label(k)) for k in kinds),
            )
        )


def check_population(session: Session, wave: Wave) -> None:
    """Refuse ``wave`` (open, or being opened) if an open wave overlapping it in time serves
    one of its kinds; raises Overlap."""
    others = session.scalars(
        select(Wave).where(
            Wave.id != wave.id,
            Wave.state == WaveState.OPEN,
            Wave.opens_at < wave.closes_at,
            Wave.closes_at > wave.opens_at,
        )
    )
    for other in others:
        shared = [k for k in wave.kinds if k in (other.kinds or ())]
        if shared:
            raise Overlap(other, shared)


class ModuleRefused(WaveError):
    """The chosen unscored modules cannot go together on this wave."""


class Locked(WaveError):
    """The wave has responses, and the change touches a field that is fixed by them."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__(_("This wave has responses: only its name and closing time can change."))


def has_responses(session: Session, wave: Wave) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Response).filter_by(wave_id=wave.id)))


def locked_fields(session: Session, wave: Wave) -> set[str]:
    """The fields of ``wave`` that can no longer change."""
    return ({*FIELDS, "modules"} - EDITABLE_WITH_RESPONSES) if has_responses(session, wave) else set()


def offered_versions(session: Session, current: int | None = None) -> list[FrameworkVersion]:
    """Framework versions a wave may use: the offered ones (and the wave's own), newest first."""
    versions = session.scalars(
        select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.version.desc())
    )
    return [v for v in versions if frameworks.offered(v.code, v.version) or v.id == current]


def _check_version(session: Session, version_id: int, current: int | None = None) -> None:
    if version_id not in {v.id for v in offered_versions(session, current)}:
        raise WaveError(_("This framework version cannot be chosen for a wave."))


def offered_modules(session: Session) -> list[ModuleVersion]:
    """Unscored module versions a wave may carry, by code, newest version first."""
    return list(
        session.scalars(select(ModuleVersion).order_by(ModuleVersion.code, ModuleVersion.version.desc()))
    )


def module_ids(wave: Wave) -> list[int]:
    return [m.module_version_id for m in wave.modules]


def _set_modules(session: Session, wave: Wave, version_ids: list[int]) -> bool:
    """Give ``wave`` these module versions in this order; False if they are what it has.

    A module names pillars for its advice; every one must be a pillar of the wave's
    framework, and a wave carries one version of each module.
    """
    version_ids = list(dict.fromkeys(int(i) for i in version_ids))
    if version_ids == module_ids(wave):
        return False
    versions = {v.id: v for v in offered_modules(session) if v.id in version_ids}
    if len(versions) != len(version_ids):
        raise ModuleRefused(_("This module cannot be chosen for a wave."))
    codes = [versions[i].code for i in version_ids]
    if len(set(codes)) != len(codes):
        raise ModuleRefused(_("A wave carries one version of each module."))
    framework = frameworks.framework_of(session.get(FrameworkVersion, wave.framework_version_id))
    pillars = {p.code for p in framework.pillars}
    for version_id in version_ids:
        if module_of(versions[version_id]).check_pillars(pillars):
            raise ModuleRefused(
                _(
                    "The module \u201c%(module)s\u201d refers to pillars this framework version "
                    "does not have.",
                    module=versions[version_id].title_vi,
                )
            )
    before = [m.module_version.label for m in wave.modules]
    wave.modules.clear()
    session.flush()  # the old rows go before new ones take their positions
    for position, version_id in enumerate(version_ids):
        wave.modules.append(WaveModule(module_version=versions[version_id], position=position))
    if wave.id is not None and before != [versions[i].label for i in version_ids]:
        audit.record(
            session,
            "wave.modules",
            wave,
            before={"modules": before},
            after={"modules": [versions[i].label for i in version_ids]},
        )
    return True


def _name_taken(session: Session, name: str, wave: Wave | None = None) -> bool:
    stmt = select(Wave.id).where(Wave.name == name)
    if wave is not None:
        stmt = stmt.where(Wave.id != wave.id)
    return session.scalar(stmt) is not None


def _flush(session: Session) -> None:
    try:
        session.flush()  # a wave named so at the same moment fails here
    except IntegrityError:
        raise NameTaken from None


def create(session: Session, values: dict) -> Wave:
    """A new wave in draft (``values`` holds ``FIELDS``; times in UTC); audited."""
    chosen_modules = list(values.get("modules") or [])
    values = {field: values[field] for field in FIELDS if field != "kinds"} | {
        "kinds": list(values.get("kinds") or [k.value for k in BusinessKind])
    }
    values["name"] = values["name"].strip()
    _check_version(session, values["framework_version_id"])
    if _name_taken(session, values["name"]):
        raise NameTaken
    wave = Wave(**values, state=WaveState.DRAFT)
    session.add(wave)
    _flush(session)
    _set_modules(session, wave, chosen_modules)
    session.flush()
    audit.record(
        session,
        "wave.created",
        wave,
        after={f: getattr(wave, f) for f in FIELDS}
        | {"modules": [m.module_version.label for m in wave.modules]},
    )
    return wave


def edit(session: Session, wave: Wave, values: dict) -> bool:
    """Change ``wave`` to ``values`` (any of ``FIELDS``); False if nothing changed.

    Raises ``Locked`` when the wave has responses and a fixed field would change.
    """
    chosen_modules = values.get("modules")
    values = {field: values[field] for field in FIELDS if field in values}
    changes_modules = chosen_modules is not None and [int(i) for i in chosen_modules] != module_ids(wave)
    if changes_modules and has_responses(session, wave):
        raise Locked(["modules"])
    if "name" in values:
        values["name"] = values["name"].strip()
    refused = sorted(f for f in locked_fields(session, wave) if f in values and values[f] != getattr(wave, f))
    if refused:
        raise Locked(refused)
    if "framework_version_id" in values:
        _check_version(session, values["framework_version_id"], current=wave.framework_version_id)
    if "name" in values and _name_taken(session, values["name"], wave):
        raise NameTaken
    if "kinds" in values and not values["kinds"]:
        raise WaveError(_("Choose at least one kind of business."))
    for field, value in values.items():
        setattr(wave, field, value)
    modules_changed = chosen_modules is not None and _set_modules(session, wave, chosen_modules)
    if wave.state == WaveState.OPEN:
        with session.no_autoflush:
            check_population(session, wave)
    before, after = audit.changes(wave, FIELDS)
    if after:
        audit.record(session, "wave.edited", wave, before=before, after=after)
    _flush(session)
    return bool(after) or modules_changed


def set_state(session: Session, wave: Wave, state: WaveState) -> bool:
    """Open or close ``wave``; False if it was so already. Audited as wave.open / wave.close."""
    if wave.state == state:
        return False
    action = {WaveState.OPEN: "open", WaveState.CLOSED: "close"}.get(state)
    if action is None:
        raise WaveError(_("A wave can only be opened or closed."))
    if state == WaveState.OPEN:
        check_population(session, wave)
    audit.record(session, f"wave.{action}", wave, before={"state": wave.state}, after={"state": state})
    wave.state = state
    session.flush()
    return True
