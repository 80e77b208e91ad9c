"""The responses workbook: one row per response of the wave, every column as the codebook says."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from survey.exports.batches import in_batch
from survey.exports.rows import count_responses, response_rows
from survey.models import AdminUnit, Response, Sector
from survey.spreadsheets import safe_cell
from tests import factories
from tests.exports.conftest import ENGAGED, FRAMEWORK, FREE_TEXT, MIDDLE, OUTSIDE, PAYLOADS, VIETNAMESE_NAME
from tests.exports.helpers import EXPORTED_AT, codebook_columns, header, records, responses_workbook

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def by_id(workbook, sheet="Responses") -> dict[int, dict]:
    return {row["response_id"].value: row for row in records(workbook[sheet])}


def db_count(db, wave, *conditions) -> int:
    query = select(func.count()).select_from(Response).where(Response.wave_id == wave.id, *conditions)
    return db.session.scalar(query)


def test_sheets_and_headers_follow_the_codebook(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    assert workbook.sheetnames == ["Responses", "Scores", "Codebook", "About"]
    responses = header(workbook["Responses"])
    assert responses == codebook_columns(workbook, "Responses")
    assert header(workbook["Scores"]) == codebook_columns(workbook, "Scores")
    criteria = [c.code for _, c in FRAMEWORK.criteria()]
    technologies = [f"tech_{t.code}" for t in FRAMEWORK.technologies]
    # The framework's columns, in its order, at the end of the sheet.
    assert responses[-len(criteria) - len(technologies) :] == criteria + technologies
    assert responses[:3] == ["response_id", "tax_code", "firm_name"]
    assert {"contact_name", "contact_email", "contact_phone", "rejected", "created_at"} <= set(responses)
    scores = header(workbook["Scores"])
    for pillar in FRAMEWORK.pillars:
        assert [f"{pillar.code}_points", f"{pillar.code}_percent", f"{pillar.code}_level"] == scores[
            scores.index(f"{pillar.code}_points") : scores.index(f"{pillar.code}_points") + 3
        ]
    assert scores[-3:] == ["total_points", "overall_level", "tier"]
    for name in ("Responses", "Scores", "Codebook"):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["A"].width > 0


def test_the_codebook_holds_every_option_with_labels_and_points(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    options = {
        (r["column"].value, r["option"].value): r
        for r in records(workbook["Codebook"])
        if r["option"].value is not None
    }
    expected = 0
    for pillar, criterion in FRAMEWORK.criteria():
        for option in criterion.options:
            row = options[(criterion.code, option.code)]
            assert row["text_vi"].value == option.label.vi
            assert row["text_en"].value == option.label.en
            assert row["points"].value == option.points
            assert row["pillar"].value == pillar.code
            expected += 1
    assert len(options) == expected
    questions = {r["column"].value: r for r in records(workbook["Codebook"]) if r["option"].value is None}
    first = FRAMEWORK.pillars[0].criteria[0]
    assert questions[first.code]["text_vi"].value == first.text.vi
    assert questions[first.code]["kind"].value == first.kind.value


def test_every_response_of_the_wave_is_exported_and_nothing_else(db, export_wave):
    workbook, written = responses_workbook(db.session, export_wave.wave)
    rows = by_id(workbook)
    total = db_count(db, export_wave.wave)
    assert total == 10
    assert written == len(rows) == workbook["Responses"].max_row - 1 == total
    assert count_responses(db.session, export_wave.wave, {}) == total
    assert export_wave.other_wave_response.id not in rows
    assert list(rows) == sorted(rows)
    assert set(by_id(workbook, "Scores")) == set(rows)


@pytest.mark.parametrize(
    ("filters", "condition"),
    [
        ({"sector": "G"}, lambda: Response.sector_code == "G"),
        ({"unit": "11311"}, lambda: Response.unit_id.in_(select(AdminUnit.id).filter_by(code="11311"))),
        (
            {"economic_pillar": "high_tech_industry"},
            lambda: Response.sector_code.in_(
                select(Sector.code).filter_by(economic_pillar="high_tech_industry")
            ),
        ),
        ({"ownership": "state"}, lambda: Response.ownership == "state"),
    ],
)
def test_a_filter_exports_exactly_the_matching_responses(db, export_wave, filters, condition):
    workbook, written = responses_workbook(db.session, export_wave.wave, filters)
    expected = db_count(db, export_wave.wave, condition())
    assert 0 < expected < 10
    assert written == workbook["Responses"].max_row - 1 == expected
    assert count_responses(db.session, export_wave.wave, filters) == expected
    about = {r["item"].value: r["value"].value for r in records(workbook["About"])}
    name, value = next(iter(filters.items()))
    assert about[f"filter_{name}"] == value


def test_drafts_and_rejected_responses_are_there_and_marked(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    rows = by_id(workbook)
    draft, rejected = rows[export_wave.draft.id], rows[export_wave.rejected.id]
    assert draft["state"].value == "draft"
    assert draft["rejected"].value is False and draft["rejected"].data_type == "b"
    assert draft["submitted_at"].value is None
    assert rejected["state"].value == "submitted"
    assert rejected["review_state"].value == "rejected"
    assert rejected["rejected"].value is True and rejected["rejected"].data_type == "b"
    assert rejected["review_reason"].value == "Trả lời không nghiêm túc"
    assert rows[export_wave.dong_a.id]["rejected"].value is False
    # A draft has answers for what it answered and blanks for the rest; no scores.
    answered = set(export_wave.draft.answers)
    for _, criterion in FRAMEWORK.criteria():
        assert (draft[criterion.code].value is not None) == (criterion.code in answered)
    draft_scores = by_id(workbook, "Scores")[export_wave.draft.id]
    assert draft_scores["total_points"].value is None
    assert draft_scores["tier"].value is None


def test_cells_have_real_types(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    response = export_wave.dong_a
    row = by_id(workbook)[response.id]
    assert row["response_id"].data_type == "n" and isinstance(row["response_id"].value, int)
    for name in ("employees", "revenue_vnd", "capital_vnd"):
        assert row[name].data_type == "n"
        assert row[name].value == getattr(response, name)
    assert row["tax_code"].value == response.enterprise.tax_code and row["tax_code"].data_type == "s"
    for name in ("created_at", "submitted_at", "updated_at"):
        cell = row[name]
        assert cell.is_date and isinstance(cell.value, datetime)
        expected = getattr(response, name).astimezone(LOCAL).replace(tzinfo=None)
        assert abs(cell.value - expected) < timedelta(milliseconds=1)
    assert row["tech_iot"].value == 1 and row["tech_ai"].value == 1 and row["tech_cloud"].value == 0
    assert row["tech_iot"].data_type == "n"
    assert row["unit_code"].value == "11311"
    assert row["sector"].value == "C" and row["economic_pillar"].value == "high_tech_industry"
    assert row["size_class"].value == response.size_class.value
    assert row["ownership"].value == "private"

    scores = by_id(workbook, "Scores")[response.id]
    assert scores["total_points"].value == response.total_points
    assert scores["overall_level"].value == response.overall_level
    assert scores["tier"].value == response.tier == "engaged"
    for pillar_score in response.pillar_scores:
        code = pillar_score.pillar_code
        assert scores[f"{code}_points"].value == pillar_score.points
        assert scores[f"{code}_level"].value == pillar_score.level
        percent = scores[f"{code}_percent"]
        assert percent.data_type == "n" and "%" in percent.number_format
        assert percent.value == pytest.approx(pillar_score.points / pillar_score.max_points)


def test_answers_as_codes_by_default(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    row = by_id(workbook)[export_wave.dong_a.id]
    for _, criterion in FRAMEWORK.criteria():
        answer = export_wave.dong_a.answers[criterion.code]
        expected = "; ".join(answer) if isinstance(answer, list) else answer
        assert row[criterion.code].value == expected


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_answers_as_labels_in_the_chosen_language(db, export_wave, lang):
    """In words the whole workbook is (tests/exports/test_responses_words.py); the answers
    are the options' labels."""
    workbook, _ = responses_workbook(db.session, export_wave.wave, labels="labels", lang=lang)
    sheet = workbook.worksheets[0]
    number = "Mã số phiếu" if lang == "vi" else "Response number"
    row = {r[number].value: r for r in records(sheet)}[export_wave.dong_a.id]
    for _, criterion in FRAMEWORK.criteria():
        answer = export_wave.dong_a.answers[criterion.code]
        label = {o.code: o.label.get(lang) for o in criterion.options}
        expected = "; ".join(label[c] for c in answer) if isinstance(answer, list) else label[answer]
        assert row[f"{criterion.code} – {criterion.text.get(lang)}"].value == expected
    about = {r[0].value: r[1].value for r in workbook.worksheets[3].iter_rows(min_row=2)}
    shown_as = "Cách ghi câu trả lời" if lang == "vi" else "Answers shown as"
    assert about[shown_as].startswith("Bằng chữ, tiếng Việt" if lang == "vi" else "Words, in English")


def test_vietnamese_text_is_intact(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    row = by_id(workbook)[export_wave.dong_a.id]
    assert row["firm_name"].value == VIETNAMESE_NAME
    assert row["register_name"].value == VIETNAMESE_NAME
    assert row["contact_name"].value == "Nguyễn Thị Hằng"
    assert row["unit_name"].value == "Phường Hồng Bàng"
    about = {r["item"].value: r["value"].value for r in records(workbook["About"])}
    assert about["wave_name"] == "Khảo sát 2025"


def test_formula_payloads_come_out_inert_in_every_free_text_field(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave)
    rows = by_id(workbook)
    for response, payload in zip(export_wave.hostile, PAYLOADS, strict=True):
        row = rows[response.id]
        for field in FREE_TEXT:
            cell = row[field]
            assert cell.data_type == "s", (field, payload)
            assert cell.value == safe_cell(payload) == "'" + payload, (field, payload)
    # Nothing anywhere in the workbook is a formula.
    for sheet in workbook:
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_without_contacts_the_contact_columns_are_gone(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave, include_contacts=False)
    columns = header(workbook["Responses"])
    assert not {"contact_name", "contact_email", "contact_phone"} & set(columns)
    assert columns == codebook_columns(workbook, "Responses")
    values = {cell.value for row in workbook["Responses"].iter_rows() for cell in row}
    assert "Nguyễn Thị Hằng" not in values and "hang@dong-a.example.vn" not in values
    about = {r["item"].value: r["value"].value for r in records(workbook["About"])}
    assert about["contacts_included"] is False


def test_about_describes_the_export(db, export_wave):
    workbook, written = responses_workbook(db.session, export_wave.wave)
    about = {r["item"].value: r["value"].value for r in records(workbook["About"])}
    wave = export_wave.wave
    assert (about["wave_name"], about["wave_id"], about["wave_year"]) == (wave.name, wave.id, wave.year)
    assert about["framework_code"] == FRAMEWORK.code
    assert about["framework_version"] == FRAMEWORK.version
    assert about["framework_content_hash"] == wave.framework_version.content_hash
    assert about["exported_by"] == "analyst@example.org"
    # 02:30 UTC is 09:30 in Hải Phòng.
    assert (
        about["exported_at"]
        == datetime(2025, 10, 1, 9, 30)
        == EXPORTED_AT.astimezone(LOCAL).replace(tzinfo=None)
    )
    assert "Asia/Ho_Chi_Minh" in about["time_zone"]
    assert about["rows_Responses"] == about["rows_Scores"] == written
    assert about["rows_Codebook"] == workbook["Codebook"].max_row - 1
    assert about["contacts_included"] is True
    assert "excluded from the statistics" in about["rejected"]
    assert about["filters"].startswith("(none")


def test_rows_come_in_batches_with_their_pillar_scores(db, export_wave):
    statements = []
    engine = db.session.get_bind()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = list(response_rows(db.session, export_wave.wave, {}, batch=4))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 10
    # Three batches of responses, each with one pillar-score query, and one empty batch.
    assert len(statements) == 3 * 2 + 1
    dong_a = next(r for r in rows if r["id"] == export_wave.dong_a.id)
    assert dong_a["pillars"] == {
        p.pillar_code: (p.points, p.max_points, p.level) for p in export_wave.dong_a.pillar_scores
    }
    assert next(r for r in rows if r["id"] == export_wave.draft.id)["pillars"] == {}
    assert all(isinstance(r["state"], str) and not hasattr(r["state"], "value") for r in rows)


@pytest.mark.parametrize("filters", [{}, {"sector": "C"}])
def test_a_batch_gets_its_own_pillar_scores_when_other_responses_lie_between_its_ids(db, filters):
    """A batch's pillar rows are read by its id range and its id list (survey.exports.batches):
    the responses of another wave, or filtered out, between its ids bring none of theirs."""
    ours, other = factories.wave(name="Khảo sát 2025"), factories.wave(name="Khảo sát 2024")
    mine = []
    for i, answers in enumerate([ENGAGED, MIDDLE, OUTSIDE, MIDDLE, ENGAGED, OUTSIDE, MIDDLE]):
        sector = "C" if i % 3 else "G"
        mine.append(factories.response(ours, factories.enterprise(sector_code=sector), answers))
        factories.response(other, factories.enterprise(sector_code=sector), OUTSIDE if i % 2 else ENGAGED)
    db.session.commit()
    rows = list(response_rows(db.session, ours, filters, batch=3))
    expected = [r for r in mine if not filters or r.sector_code == filters["sector"]]
    assert [row["id"] for row in rows] == [r.id for r in expected]
    for row, response in zip(rows, expected, strict=True):
        assert row["pillars"] == {
            p.pillar_code: (p.points, p.max_points, p.level) for p in response.pillar_scores
        }
    # The range is the batch's lowest and highest id, whatever order the list is in.
    condition = in_batch(Response.id, [9, 3, 5])
    compiled = condition.compile(compile_kwargs={"literal_binds": True})
    assert "BETWEEN 3 AND 9" in str(compiled) and "IN (9, 3, 5)" in str(compiled)


def test_rejects_bad_options(db, export_wave):
    with pytest.raises(ValueError, match="labels"):
        responses_workbook(db.session, export_wave.wave, labels="names")
    with pytest.raises(ValueError, match="lang"):
        responses_workbook(db.session, export_wave.wave, lang="fr")


@pytest.mark.parametrize("filters", [{}, {"sector": "C"}, {"unit": "11311", "size_class": "small"}])
def test_batches_walk_the_primary_key_without_sorting(db, export_wave, filters):
    """Each batch must be a walk along responses.id, not a read of the whole wave and a sort
    (which SQLite, having no statistics, would otherwise choose: a quadratic export)."""
    engine = db.session.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite, whose planner has no statistics here")
    seen = []

    def keep(conn, cursor, statement, parameters, *args):
        if not seen and "ORDER BY" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        list(response_rows(db.session, export_wave.wave, filters, batch=4))
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    statement, parameters = seen[0]
    plan = [
        row[3]
        for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    ]
    assert plan[0] == "SEARCH responses USING INTEGER PRIMARY KEY (rowid>?)", plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
