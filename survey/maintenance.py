"""Keeping data safe: online backups of SQLite, and erasing contact data after retention.

Both are operations the CLI calls; they flush or write files, and the caller commits.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, delete, or_, select, union_all, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from survey import audit, files
from survey.models import Enterprise, ExportJob, IdType, Invitation, JobState, ModuleAnswer, Response, Wave
from survey.models.base import utcnow

CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")


class BackupError(ValueError):
    pass


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live SQLite database to ``target`` with SQLite's online backup API.

    The copy is consistent even while the app writes: SQLite copies a snapshot page by
    page and restarts pages that change underneath. Returns the number of pages copied.
    """
    if engine.dialect.name != "sqlite":
        raise BackupError("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)")
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    target = Path(target)
    # lexists: a dangling symlink "does not exist", but writing to it would create the
    # file it points at, wherever that is.
    if os.path.lexists(target):
        raise BackupError(f"{target} exists; choose a new file name")
    try:
        # Created here, 0600 (a backup holds every contact), without following a symlink
        # and never over a file that appeared meanwhile; SQLite then fills the empty file.
        created = files.create_private(target)
    except FileExistsError:
        raise BackupError(f"{target} exists; choose a new file name") from None
    except OSError as exc:
        raise BackupError(f"{target} cannot be created ({exc.strerror or exc})") from None
    with created:
        ours = os.fstat(created.fileno())
    # SQLite opens the path itself (and would follow a symlink put there since): check
    # that it is still the file created above, before and after the copy.
    _still_ours(target, ours)
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        pages = destination.execute("PRAGMA page_count").fetchone()[0]
    finally:
        destination.close()
        source.close()
    _still_ours(target, ours)
    return pages


def _still_ours(path: Path, ours: os.stat_result) -> None:
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (ours.st_dev, ours.st_ino):
        raise BackupError(f"{path} was replaced by something else during the backup; do not use it")


@dataclass
class Erased:
    """What ``erase_contacts`` erased."""

    responses: int = 0
    enterprises: int = 0
    #: Household and individual businesses whose representative's personal ID was erased.
    personal_ids: int = 0
    #: Free-text answers to the unscored modules (a firm's own words may name people).
    module_texts: int = 0
    #: Export files deleted, and the jobs marked as erased (a job's file may be gone already).
    export_files: int = 0
    export_jobs: int = 0
    wave_ids: list[int] = field(default_factory=list)


#: The ``error`` of an export job whose file was deleted for retention.
ERASED_EXPORT = "erased: it held contact data past the retention period"


def expired_waves(cutoff: datetime) -> Select:
    """Ids of the waves whose contact data is past retention at ``cutoff``.

    The clock runs from a wave's closing time, whether staff closed the wave or it was
    simply left open past that time: nobody can answer a wave after it (see
    ``Wave.accepts_answers``), so it is over either way.
    """
    return select(Wave.id).where(Wave.closes_at < cutoff)


def erase_contacts(session: Session, older_than_days: int, exports: Path | None = None) -> Erased:
    """Erase the contact data of the waves that closed more than ``older_than_days`` ago.

    - Responses: the contact name, e-mail and phone the respondent gave. Answers,
      profiles and scorecards (the anonymous statistics) stay.
    - The register: a firm's contact fields, when every wave the firm answered or was
      invited to is past retention and its register row was not changed since the
      cutoff either. A firm with a wave still within retention keeps its contact (that
      wave may still need it), as does one whose row a later register import changed
      (the city holds a fresh contact for it), and a firm never surveyed nor invited:
      its contact is the register's own, replaced by each import.
    - The register's personal IDs: a household or individual business's identifier is its
      representative's personal ID (Law 91/2025/QH15: personal data), erased by the same
      rule as the register's contacts (``tax_code`` NULL, ``id_erased_at`` now). An
      enterprise's tax code is public and never erased.
    - Free-text answers to the unscored modules (barriers, needs, proposals in the firm's
      own words, which can name people): treated like contact data, as the responses
      workbook does (text columns only beside contacts). The ratings and ticked options,
      which are statistics, stay.
    - Export files in ``exports`` made from those waves with the contact columns: the
      file is deleted and its job marked failed with ERASED_EXPORT, so it cannot be
      downloaded. The files go first: if one cannot be deleted, nothing is erased and
      the command can run again.

    Flushes and audits the counts; the caller commits.
    """
    cutoff = utcnow() - timedelta(days=older_than_days)
    erased = Erased(wave_ids=list(session.scalars(expired_waves(cutoff).order_by(Wave.id))))
    if exports is not None:
        erased.export_files, erased.export_jobs = _erase_exports(session, erased.wave_ids, exports)
    responses_with_contact = or_(*(getattr(Response, c).is_not(None) for c in CONTACT_COLUMNS))
    result = session.execute(
        update(Response)
        .where(Response.wave_id.in_(expired_waves(cutoff)), responses_with_contact)
        .values(dict.fromkeys(CONTACT_COLUMNS))
        .execution_options(synchronize_session=False)
    )
    erased.responses = result.rowcount or 0
    texts = session.execute(
        delete(ModuleAnswer)
        .where(
            ModuleAnswer.text.is_not(None),
            ModuleAnswer.response_id.in_(
                select(Response.id).where(Response.wave_id.in_(expired_waves(cutoff)))
            ),
        )
        .execution_options(synchronize_session=False)
    )
    erased.module_texts = texts.rowcount or 0
    # The personal IDs first: their update keeps ``updated_at``, which the contacts' rule reads.
    erased.personal_ids = _erase_personal_ids(session, cutoff)
    erased.enterprises = _erase_register_contacts(session, cutoff)
    audit.record(
        session,
        "retention.contacts_erased",
        object_type="responses",
        count=erased.responses,
        enterprises=erased.enterprises,
        personal_ids=erased.personal_ids,
        module_texts=erased.module_texts,
        export_files=erased.export_files,
        export_jobs=erased.export_jobs,
        waves=erased.wave_ids,
        older_than_days=older_than_days,
    )
    session.flush()
    return erased


def _past_retention(cutoff: datetime) -> list:
    """Register rows every wave of which (answered or invited to) is past retention, and
    unchanged since the cutoff: the rule for the register's contacts and personal IDs."""
    taking_part = union_all(
        select(Response.enterprise_id, Response.wave_id),
        select(Invitation.enterprise_id, Invitation.wave_id),
    ).subquery()
    expired = select(taking_part.c.enterprise_id).where(taking_part.c.wave_id.in_(expired_waves(cutoff)))
    current = select(taking_part.c.enterprise_id).where(taking_part.c.wave_id.not_in(expired_waves(cutoff)))
    return [Enterprise.id.in_(expired), Enterprise.id.not_in(current), Enterprise.updated_at < cutoff]


def _erase_register_contacts(session: Session, cutoff: datetime) -> int:
    with_contact = or_(*(getattr(Enterprise, c).is_not(None) for c in CONTACT_COLUMNS))
    result = session.execute(
        update(Enterprise)
        .where(*_past_retention(cutoff), with_contact)
        .values(dict.fromkeys(CONTACT_COLUMNS))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _erase_personal_ids(session: Session, cutoff: datetime) -> int:
    """Erase the personal IDs of household and individual businesses past retention.

    ``updated_at`` is kept as it was (else ``onupdate`` would move it to now and the
    contacts' rule, which runs next, would think a register import had changed the row).
    """
    result = session.execute(
        update(Enterprise)
        .where(
            *_past_retention(cutoff), Enterprise.id_type == IdType.CCCD12, Enterprise.tax_code.is_not(None)
        )
        .values(tax_code=None, id_erased_at=utcnow(), updated_at=Enterprise.updated_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _erase_exports(session: Session, wave_ids: list[int], folder: Path) -> tuple[int, int]:
    """Delete the finished responses exports of ``wave_ids`` that have contact columns."""
    if not wave_ids:
        return 0, 0
    jobs = [
        job
        for job in session.scalars(
            select(ExportJob).where(
                ExportJob.wave_id.in_(wave_ids),
                ExportJob.kind == "responses",
                ExportJob.state == JobState.DONE,
            )
        )
        if job.params.get("contacts") or job.params.get("personal_ids")
    ]
    deleted = 0
    for job in jobs:
        if job.file_name:
            path = folder / Path(job.file_name).name  # names are ours; never leave the folder
            if os.path.lexists(path):
                path.unlink()
                deleted += 1
        job.state = JobState.FAILED
        job.error = ERASED_EXPORT
        job.file_name = None
    return deleted, len(jobs)
