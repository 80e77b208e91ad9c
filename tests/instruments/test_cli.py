"""``flask --app survey framework export --format xlsx`` and ``framework import``: a round
trip through files prints the packaged version's content hash; a broken workbook lists
every problem with its sheet, row and column and exits non-zero."""

from __future__ import annotations

import json

import pytest

from survey import instruments
from survey.scoring.definition import canonical_hash
from tests.instruments.workbooks import PACKAGED, edited


@pytest.mark.parametrize(("code", "version"), PACKAGED)
def test_export_then_import_prints_the_packaged_hash(runner, tmp_path, code, version):
    kind, definition = instruments.packaged(code, version)
    digest = canonical_hash(definition)
    path = tmp_path / f"{code}.xlsx"

    exported = runner.invoke(
        args=["framework", "export", code, "--version", str(version), "--format", "xlsx", "-o", str(path)]
    )
    assert exported.exit_code == 0, exported.output
    assert f"Wrote {kind} {code} v{version} to {path} (content hash {digest})." in exported.output

    imported = runner.invoke(args=["framework", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    lines = imported.output.splitlines()
    assert f"{kind} {code} v{version}: valid." in lines
    assert f"content hash {digest}" in lines
    assert "Identical to the packaged version." in lines


def test_export_defaults_to_the_newest_version(runner, tmp_path):
    path = tmp_path / "newest.xlsx"
    result = runner.invoke(args=["framework", "export", "dbi-2021-sme", "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert instruments.read_workbook(path).label == "dbi-2021-sme v2"


def test_an_edited_workbook_imports_with_its_own_hash(runner, tmp_path):
    data, _row = edited(
        instruments.export_packaged("readiness", 1),
        "about",
        {"field": "title"},
        **{"text::English (en)": "New"},
    )
    path = tmp_path / "edited.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"content hash {canonical_hash(instruments.packaged('readiness', 1)[1])}" not in result.output
    assert "Differs from the packaged version of that number." in result.output


def test_import_lists_every_problem_and_fails(runner, tmp_path):
    data, _row = edited(
        instruments.export_packaged("dbi-2021-sme", 2),
        "survey",
        {"name": "c1_1_1_answer"},
        type="select_one nope",
    )
    data, _row = edited(data, "pillar_bands", {"level": 3}, percent=15)
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 1
    assert "sheet survey, row 8, column type: The choices sheet has no list nope." in result.output
    assert (
        "sheet pillar_bands, row 4, column percent: Bands must increase: 15 is not above 20 in row 3."
        in result.output
    )
    assert "3 problem(s); nothing was stored." in result.output
    assert "content hash" not in result.output


def test_import_of_a_file_that_is_no_workbook_fails(runner, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 1 and "This is not an .xlsx workbook." in result.output


def test_xlsx_needs_an_output_file(runner):
    result = runner.invoke(args=["framework", "export", "dbi-2021-sme", "--format", "xlsx"])
    assert result.exit_code == 2 and "give -o FILE.xlsx" in result.output


def test_export_of_an_unknown_code_fails(runner, tmp_path):
    path = tmp_path / "nope.xlsx"
    result = runner.invoke(args=["framework", "export", "nope", "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 1 and "no framework or module file for nope" in result.output
    assert not path.exists()


def test_json_stays_the_default_and_a_module_prints_its_definition(runner, tmp_path):
    # The framework's JSON contract is tested in tests/test_cli.py; a module has no
    # contract of its own and prints its definition.
    result = runner.invoke(args=["framework", "export", "readiness"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == instruments.packaged("readiness", 1)[1]
    path = tmp_path / "dbi.json"
    result = runner.invoke(args=["framework", "export", "dbi-2021-sme", "--version", "1", "-o", str(path)])
    assert result.exit_code == 0 and f"Wrote {path}." in result.output
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_a_new_version_is_stored_as_a_draft_and_a_published_one_is_not(runner, tmp_path, db):
    from sqlalchemy import select

    from survey.models import InstrumentDraft
    from tests.staff.test_instrument_drafts import _edited

    path = tmp_path / "dbi.v3.xlsx"
    path.write_bytes(_edited("dbi-2021-sme", 2, 3))
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 0, result.output
    draft = db.session.scalars(select(InstrumentDraft)).one()
    assert (draft.code, draft.version, draft.source_name) == ("dbi-2021-sme", 3, "dbi.v3.xlsx")
    assert f"Stored as draft {draft.id}" in result.output
    assert f"content hash {draft.content_hash}" in result.output
    # The same workbook again, and a packaged version: checked, hash printed, not stored.
    again = runner.invoke(args=["framework", "import", str(path)])
    assert again.exit_code == 0 and "Not stored: There is already a draft" in again.output
    packaged = tmp_path / "dbi.v2.xlsx"
    packaged.write_bytes(instruments.export_packaged("dbi-2021-sme", 2))
    result = runner.invoke(args=["framework", "import", str(packaged)])
    assert result.exit_code == 0 and "Not stored: dbi-2021-sme v2 is already published" in result.output
    assert len(db.session.scalars(select(InstrumentDraft)).all()) == 1
