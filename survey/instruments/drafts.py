"""Drafts: instruments staff load from a workbook, then preview, simulate, publish or delete.

The packaged YAML files stay the source of the packaged versions; what staff load lives in
the database, checked by the same validators (the workbook reader ends in the framework's
and the module's own ``from_dict``). Publishing copies a draft into ``framework_versions``
or ``module_versions``, where ``seed-reference`` and every wave find it, and a recorded
version is never changed again. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import audit, frameworks, modules
from survey.instruments.errors import _
from survey.instruments.layout import FRAMEWORK, MODULE
from survey.instruments.reading import Imported, read_workbook
from survey.models import FrameworkVersion, InstrumentDraft, ModuleVersion

#: What a published version of each kind is stored as.
RECORDED = {FRAMEWORK: FrameworkVersion, MODULE: ModuleVersion}


class DraftRefused(ValueError):
    """A workbook that is valid on its own but cannot become this draft (already published,
    already drafted, or a re-scoring version that asks other questions)."""


def instrument(draft: InstrumentDraft | FrameworkVersion | ModuleVersion):
    """The validated framework or module a draft (or a recorded version) holds; cached by
    content hash like the recorded versions."""
    if isinstance(draft, ModuleVersion) or getattr(draft, "kind", None) == MODULE:
        return modules.module_of(draft)
    return frameworks.framework_of(draft)


def recorded(session: Session, kind: str, code: str, version: int | None = None):
    """The published versions of ``code`` (newest first), or the one at ``version``."""
    model = RECORDED[kind]
    query = select(model).filter_by(code=code).order_by(model.version.desc())
    if version is not None:
        return session.scalars(query.filter_by(version=version)).one_or_none()
    return list(session.scalars(query))


def follows(session: Session, draft: InstrumentDraft):
    """The published version the draft follows: the newest one of its code before it."""
    earlier = [v for v in recorded(session, draft.kind, draft.code) if v.version < draft.version]
    return earlier[0] if earlier else None


def _check_new(session: Session, imported: Imported) -> None:
    code, version = imported.definition["code"], imported.definition["version"]
    if recorded(session, imported.kind, code, version) is not None:
        raise DraftRefused(
            _(
                "%(label)s is already published and a published version never changes: "
                "give the workbook a new version number.",
                label=imported.label,
            )
        )
    drafted = session.scalars(
        select(InstrumentDraft).filter_by(kind=imported.kind, code=code, version=version)
    ).one_or_none()
    if drafted is not None:
        raise DraftRefused(
            _(
                "There is already a draft of %(label)s: publish or delete it first.",
                label=imported.label,
            )
        )
    rescores = imported.definition.get("rescores") if imported.kind == FRAMEWORK else None
    if rescores is not None:
        earlier = recorded(session, FRAMEWORK, code, rescores)
        if earlier is None:
            raise DraftRefused(
                _(
                    "This version re-scores %(code)s v%(version)s, which is not published.",
                    code=code,
                    version=rescores,
                )
            )
        if instrument(earlier).question_signature() != imported.instrument.question_signature():
            raise DraftRefused(
                _(
                    "This version re-scores %(code)s v%(version)s but asks other questions: "
                    "a re-scoring version asks exactly what the earlier one asked.",
                    code=code,
                    version=rescores,
                )
            )


def import_workbook(session: Session, data: bytes, source_name: str) -> InstrumentDraft:
    """Read, check and store a workbook as a draft; audited.

    ``WorkbookInvalid`` (every problem by sheet, row and column) or ``DraftRefused`` on any
    error, and then nothing is written.
    """
    imported = read_workbook(data)
    _check_new(session, imported)
    title = imported.definition["title"]
    draft = InstrumentDraft(
        kind=imported.kind,
        code=imported.definition["code"],
        version=imported.definition["version"],
        content_hash=imported.content_hash,
        title_vi=title["vi"],
        title_en=title["en"],
        definition=imported.definition,
        source_name=source_name[:255],
    )
    session.add(draft)
    session.flush()
    audit.record(session, "instrument.draft_imported", draft, after=_summary(draft))
    return draft


def publish(session: Session, draft: InstrumentDraft) -> FrameworkVersion | ModuleVersion:
    """Make the draft an immutable version that waves can use; the draft goes. Audited."""
    # Checked again: another admin may have published the same version since the upload.
    imported = Imported(draft.kind, draft.definition, draft.content_hash, instrument(draft))
    session.delete(draft)
    session.flush()
    _check_new(session, imported)
    version = RECORDED[draft.kind](
        code=draft.code,
        version=draft.version,
        content_hash=draft.content_hash,
        title_vi=draft.title_vi,
        title_en=draft.title_en,
        definition=draft.definition,
    )
    session.add(version)
    session.flush()
    audit.record(session, "instrument.published", version, after=_summary(draft))
    return version


def delete(session: Session, draft: InstrumentDraft) -> None:
    audit.record(session, "instrument.draft_deleted", draft, before=_summary(draft))
    session.delete(draft)


def _summary(draft: InstrumentDraft) -> dict:
    return {
        "kind": draft.kind,
        "code": draft.code,
        "version": draft.version,
        "content_hash": draft.content_hash,
        "source": draft.source_name,
    }
