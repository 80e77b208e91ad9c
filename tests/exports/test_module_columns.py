"""The unscored modules' answers in the responses workbook and its codebook.

A small wave carrying both modules: one firm answers everything (hostile text in its free
text), one saves the barriers page with nothing ticked, one never reaches the modules; and
a wave without modules, whose workbook has no module column at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.orm import Session

from survey import modules as packaged
from survey.exports import module_columns, workbooks
from survey.exports import rows as export_rows
from survey.models import Response, Role
from survey.responses.scoring import framework_of
from tests import factories
from tests.exports.conftest import ENGAGED, MIDDLE
from tests.exports.helpers import EXPORTED_AT, header, records

BARRIERS = packaged.load("barriers-needs", 1)
READINESS = packaged.load("readiness", 1)
HOSTILE = '=HYPERLINK("http://evil.example","bấm")'


@dataclass
class ModuleWave:
    wave: object
    full: Response
    empty: Response
    none: Response


@pytest.fixture
def module_wave(db) -> ModuleWave:
    wave = factories.with_modules(
        factories.wave(name="Khảo sát có phần rào cản"), "barriers-needs", "readiness"
    )
    full = factories.response(wave, answers=ENGAGED, firm_name="Công ty Đủ")
    factories.answer_module(
        full,
        "barriers-needs",
        {
            "cost": 5,
            "habits": 1,
            "needs": ["training", "cloud"],
            "barriers_other": HOSTILE,
            "proposals": "Cần hỗ trợ đào tạo",
        },
    )
    factories.answer_module(full, "readiness", {q.code: 4 for q in READINESS.questions})
    empty = factories.response(wave, answers=MIDDLE, firm_name="Công ty Trống")
    factories.answer_module(empty, "barriers-needs", {})
    none = factories.response(wave, answers=MIDDLE, firm_name="Công ty Chưa")
    return ModuleWave(wave, full, empty, none)


def workbook_of(session: Session, wave, *, batch: int = 2, contacts: bool = True, **options):
    """The responses workbook as the export job writes it (modules pinned, rows with modules)."""
    buffer = BytesIO()
    workbooks.write_responses_workbook(
        buffer,
        framework_of(wave.framework_version),
        export_rows.response_rows(session, wave, {}, batch=batch, contacts=contacts, modules=True),
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters={},
        exported_by="analyst@example.org",
        exported_at=EXPORTED_AT,
        include_contacts=contacts,
        modules=module_columns.pinned_modules(session, wave),
        **options,
    )
    buffer.seek(0)
    return load_workbook(buffer)


def by_id(book) -> dict[int, dict]:
    return {r["response_id"].value: r for r in records(book["Responses"])}


def test_module_columns_follow_the_definitions_in_journey_order(db, module_wave):
    names = header(workbook_of(db.session, module_wave.wave)["Responses"])
    first = names.index("barriers_needs_v1_cost")
    expected = []
    for module in (BARRIERS, READINESS):
        for q in module.questions:
            base = f"{module.code.replace('-', '_')}_v1_{q.code}"
            expected += [f"{base}_{o.code}" for o in q.options] if q.kind == "checklist" else [base]
    assert names[first:] == expected
    assert names[first - 1].startswith("tech_")  # after the framework's columns
    assert len([n for n in expected if n.startswith("readiness_v1_")]) == 29
    assert "barriers_needs_v1_needs_training" in expected and "barriers_needs_v1_proposals" in expected


def test_cells_are_typed_and_empty_where_not_pinned(db, module_wave):
    rows = by_id(workbook_of(db.session, module_wave.wave))
    full, empty, none = (rows[r.id] for r in (module_wave.full, module_wave.empty, module_wave.none))

    cost = full["barriers_needs_v1_cost"]
    assert cost.value == 5 and cost.data_type == "n" and isinstance(cost.value, int)
    assert full["barriers_needs_v1_habits"].value == 1
    assert full["barriers_needs_v1_skills"].value is None  # pinned, not answered
    assert full["barriers_needs_v1_needs_training"].value == 1
    assert full["barriers_needs_v1_needs_cloud"].value == 1
    assert full["barriers_needs_v1_needs_finance"].value == 0
    assert full["readiness_v1_lead_vision"].value == 4
    # Free text through the formula guard: inert text, never a formula cell.
    other = full["barriers_needs_v1_barriers_other"]
    assert other.value == "'" + HOSTILE and other.data_type == "s"
    assert full["barriers_needs_v1_proposals"].value == "Cần hỗ trợ đào tạo"
    assert full["barriers_needs_v1_needs_text"].value is None

    # Saved with nothing answered: pinned, so the options read 0; the ratings stay empty.
    assert [empty[f"barriers_needs_v1_needs_{o.code}"].value for o in BARRIERS.question("needs").options] == [
        0
    ] * 10
    assert empty["barriers_needs_v1_cost"].value is None
    # Not pinned to readiness, nor is "none" to anything: every cell empty, not 0.
    assert empty["readiness_v1_lead_vision"].value is None
    module_cells = [v for k, v in none.items() if k.startswith(("barriers_needs_v1_", "readiness_v1_"))]
    assert module_cells and all(c.value is None for c in module_cells)


def test_no_formula_cell_anywhere_in_the_module_columns(db, module_wave):
    book = workbook_of(db.session, module_wave.wave)
    for row in book["Responses"].iter_rows(min_row=2):
        assert not any(c.data_type == "f" for c in row)


def test_text_columns_only_with_personal_data(db, module_wave):
    """Without contacts (the rule for personal data), no text column, and no text is read."""
    names = header(workbook_of(db.session, module_wave.wave, contacts=False)["Responses"])
    assert "barriers_needs_v1_cost" in names and "barriers_needs_v1_needs_cloud" in names
    assert not any(n.endswith(("_barriers_other", "_needs_text", "_proposals")) for n in names)
    rows = list(export_rows.response_rows(db.session, module_wave.wave, {}, contacts=False, modules=True))
    stored = [a for r in rows for answers in r["modules"].values() for a in answers]
    assert stored and all(text is None for *_, text in stored)
    assert not any(a[0] == "proposals" for a in stored)


def test_the_export_request_gives_texts_to_analysts(client, db, as_role, module_wave):
    """The staff export (a job) carries the module columns; analysts get the texts."""
    db.session.commit()
    as_role(Role.ANALYST)
    wave = module_wave.wave
    token = client.csrf_token(f"/staff/dashboard?wave={wave.id}")
    asked = client.post("/staff/exports", data={"csrf_token": token, "wave": wave.id, "kind": "responses"})
    assert asked.status_code == 303, asked.get_data(as_text=True)[:500]
    downloaded = client.get(asked.headers["Location"] + "/download")
    assert downloaded.status_code == 200
    book = load_workbook(BytesIO(downloaded.get_data()))
    downloaded.close()
    full = by_id(book)[module_wave.full.id]
    assert full["barriers_needs_v1_cost"].value == 5
    assert full["barriers_needs_v1_proposals"].value == "Cần hỗ trợ đào tạo"
    about = {r["item"].value: r["value"].value for r in records(book["About"])}
    assert about["modules"].startswith("barriers-needs v1 (") and "readiness v1" in about["modules"]
    assert about["module_texts_included"].startswith("True")


def test_the_command_line_export_carries_the_modules(runner, module_wave, tmp_path):
    path = tmp_path / "r.xlsx"
    wave = module_wave.wave
    result = runner.invoke(args=["export", "responses", "--wave", str(wave.id), "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert by_id(load_workbook(path))[module_wave.full.id]["readiness_v1_lead_vision"].value == 4
    result = runner.invoke(
        args=["export", "responses", "--wave", str(wave.id), "-o", str(path), "--no-contacts"]
    )
    assert result.exit_code == 0, result.output
    assert "barriers_needs_v1_proposals" not in header(load_workbook(path)["Responses"])


def test_codebook_gives_wording_and_scale_labels(db, module_wave):
    book = workbook_of(db.session, module_wave.wave)
    rows = records(book["Codebook"])
    own = {r["column"].value: r for r in rows if r["option"].value is None}

    cost = own["barriers_needs_v1_cost"]
    question = BARRIERS.question("cost")
    assert cost["sheet"].value == "Responses" and cost["kind"].value == "rating"
    assert question.text.vi in cost["text_vi"].value and BARRIERS.title.vi in cost["text_vi"].value
    assert question.text.en in cost["text_en"].value and "1 to 5" in cost["text_en"].value
    points = [r for r in rows if r["column"].value == "barriers_needs_v1_cost" and r["kind"].value == "point"]
    scale = BARRIERS.scale("barrier")
    assert [(r["option"].value, r["text_vi"].value, r["text_en"].value) for r in points] == [
        (p.value, p.label.vi, p.label.en) for p in scale.points
    ]

    training = own["barriers_needs_v1_needs_training"]
    option = BARRIERS.question("needs").option("training")
    assert training["kind"].value == "0/1"
    assert option.label.vi in training["text_vi"].value and option.label.en in training["text_en"].value
    assert "1 = ticked" in training["text_en"].value

    proposals = own["barriers_needs_v1_proposals"]
    assert proposals["kind"].value == "text" and "free text" in proposals["text_en"].value
    # Every module column of the sheet is in the codebook, and only those.
    sheet = [n for n in header(book["Responses"]) if n.startswith(("barriers_needs_", "readiness_"))]
    assert [c for c in own if c.startswith(("barriers_needs_", "readiness_"))] == sheet


def test_codebook_headers_in_english_and_in_vietnamese(app, db, module_wave):
    """The codebook's fixed words come through gettext in each language."""
    with app.test_request_context():
        made = module_columns.columns(module_columns.pinned_modules(db.session, module_wave.wave), texts=True)
    cost = next(c for c in made if c.code == "barriers_needs_v1_cost")
    assert cost.en.startswith(f"{BARRIERS.title.en}: {BARRIERS.question('cost').text.en}")
    assert cost.vi.startswith(f"{BARRIERS.title.vi}: {BARRIERS.question('cost').text.vi}")


def test_answers_are_read_once_per_batch(db, module_wave):
    """One module query per batch of responses, never one per response."""
    for _ in range(3):
        r = factories.response(module_wave.wave, answers=MIDDLE)
        factories.answer_module(r, "readiness", {"lead_vision": 2})
    statements: list[str] = []
    engine = db.session.get_bind()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = list(export_rows.response_rows(db.session, module_wave.wave, {}, batch=2, modules=True))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 6
    module_queries = [s for s in statements if "response_modules" in s]
    assert len(module_queries) == 3  # 6 responses in batches of 2
    assert len(statements) == 3 * 3 + 1  # each batch: responses, pillar scores, module answers
    assert rows[0]["modules"].keys() == {
        v.version_id for v in module_columns.pinned_modules(db.session, module_wave.wave)
    }


def test_a_wave_without_modules_has_no_module_column(db, export_wave):
    assert module_columns.pinned_modules(db.session, export_wave.wave) == []
    names = header(workbook_of(db.session, export_wave.wave)["Responses"])
    assert not any(n.startswith(("barriers_needs_", "readiness_")) for n in names)


def test_a_pinned_version_the_wave_no_longer_carries_keeps_its_columns(db, module_wave):
    """Columns come from the pins as well as the wave (a pin is never left out)."""
    wave = module_wave.wave
    del wave.modules[1]  # readiness: answered by ``full``, no longer carried
    db.session.flush()
    pinned = module_columns.pinned_modules(db.session, wave)
    assert [p.module.code for p in pinned] == ["barriers-needs", "readiness"]
    assert by_id(workbook_of(db.session, wave))[module_wave.full.id]["readiness_v1_lead_vision"].value == 4


def test_clashing_codes_are_refused_before_writing(db, module_wave):
    made = module_columns.columns(module_columns.pinned_modules(db.session, module_wave.wave), texts=True)
    with pytest.raises(ValueError, match="clashes"):
        module_columns.check_codes(made, ["response_id", "barriers_needs_v1_cost"])
