"""Confirming an import is one service (survey/registry/register_import.py): rows written,
one audit line with the counts, and the upload deleted only once the import committed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey import work
from survey.models import AuditEvent, Enterprise
from survey.registry import register_import
from survey.registry.importer import read_register
from tests import factories
from tests.registry_import._support import row, workbook


def _upload(tmp_path, rows):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(workbook(rows).getvalue())
    return path


def test_confirm_writes_audits_and_then_deletes_the_upload(app, db, tmp_path):
    codes = [factories.tax_code() for _ in range(2)]
    path = _upload(tmp_path, [row(tax_code=codes[0]), row(tax_code=codes[1]), row(tax_code="not a code")])
    with app.test_request_context():
        preview = read_register(path, db.session)
        with work.unit(writes=True):
            result = register_import.confirm(db.session, preview, path)
            assert path.exists()  # not before the commit
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    assert not path.exists()
    written = select(func.count()).select_from(Enterprise).where(Enterprise.tax_code.in_(codes))
    assert db.session.scalar(written) == 2
    event = db.session.scalar(select(AuditEvent).filter_by(action="register.imported"))
    assert event.details == {"added": 2, "updated": 0, "unchanged": 0, "skipped_rows": 1}


def test_a_rolled_back_confirm_keeps_the_upload(app, db, tmp_path):
    path = _upload(tmp_path, [row(tax_code=factories.tax_code())])
    with app.test_request_context():
        preview = read_register(path, db.session)
        with pytest.raises(RuntimeError), work.unit(writes=True):
            register_import.confirm(db.session, preview, path)
            raise RuntimeError("the request failed after the import")
    assert path.exists()
    assert db.session.scalar(select(AuditEvent).filter_by(action="register.imported")) is None
