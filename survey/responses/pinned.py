"""The module versions a wave's answers belong to: those it carries, and any a response is pinned to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import ModuleVersion, Response, ResponseModule, Wave


def versions(session: Session, wave: Wave) -> list[ModuleVersion]:
    """The versions ``wave`` carries, in journey order, then any other version one of its
    responses is pinned to (by code and version).

    A wave's modules are fixed once it has responses (survey.waves), so the second list is
    normally empty; it is read so that no pinned answer is ever left out of a report.
    """
    carried = [m.module_version for m in wave.modules]
    pinned = select(ResponseModule.module_version_id).join(Response).where(Response.wave_id == wave.id)
    others = session.scalars(
        select(ModuleVersion)
        .where(ModuleVersion.id.in_(pinned), ModuleVersion.id.not_in([v.id for v in carried]))
        .order_by(ModuleVersion.code, ModuleVersion.version)
    ).all()
    return [*carried, *others]
