"""Confirming a register import: write the checked rows, audit, let the upload go. Flushes only.

The staff page checks an upload (survey.registry.importer.read_register) and shows the
preview; confirming reads the file again and calls ``confirm`` with that fresh preview.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from survey import audit, work
from survey.registry.importer import ImportPreview, ImportResult, apply_register


def confirm(session: Session, preview: ImportPreview, upload: Path | None = None) -> ImportResult:
    """Import ``preview``'s valid rows in the running unit, audited as ``register.imported``.

    ``upload``, the checked file (it holds firms' contacts), is deleted once the unit has
    committed; if it rolls back the file stays, to be confirmed again or swept after a day.
    """
    result = apply_register(session, preview)
    audit.record(
        session,
        "register.imported",
        object_type="enterprises",
        added=result.added,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped_rows=len(preview.errors),
    )
    if upload is not None:
        work.after_commit(lambda: upload.unlink(missing_ok=True))
    return result
