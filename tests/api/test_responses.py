"""The responses endpoint: the responses workbook's columns and rules, paged by keyset."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from survey.exports import module_columns, workbooks
from survey.exports import rows as export_rows
from survey.frameworks import framework_of
from survey.registry.identifiers import mask
from tests import factories
from tests.exports.conftest import PAYLOADS, VIETNAMESE_NAME, export_wave  # noqa: F401 (a fixture)
from tests.exports.helpers import EXPORTED_AT, header, records


def _pages(client, headers, wave_id: int, limit: int, query: str = "") -> list[dict]:
    pages, after = [], 0
    while after is not None:
        answer = client.get(
            f"/api/v1/waves/{wave_id}/responses?limit={limit}&after={after}{query}", headers=headers
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        pages.append(answer.get_json())
        after = pages[-1]["next_after"]
    return pages


def _workbook(db, wave):
    """The analysts' responses workbook of ``wave`` (contacts and module texts in), read back."""
    pinned = module_columns.pinned_modules(db.session, wave)
    buffer = BytesIO()
    workbooks.write_responses_workbook(
        buffer,
        framework_of(wave.framework_version),
        export_rows.response_rows(db.session, wave, {}, contacts=True, modules=True),
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters={},
        exported_by="analyst@example.org",
        exported_at=EXPORTED_AT,
        modules=pinned,
    )
    buffer.seek(0)
    return load_workbook(buffer)


def test_the_columns_are_the_analysts_workbooks(client, db, analyst, export_wave):  # noqa: F811
    wave = factories.with_modules(export_wave.wave, "barriers-needs")
    factories.answer_module(
        export_wave.dong_a, "barriers-needs", {"cost": 4, "needs": ["training"], "other": "Cần hỗ trợ"}
    )
    db.session.commit()
    page = client.get(f"/api/v1/waves/{wave.id}/responses?limit=100", headers=analyst).get_json()
    workbook = _workbook(db, wave)
    codes = [c["code"] for c in page["columns"]]
    assert codes == header(workbook["Responses"]) + header(workbook["Scores"])[2:]
    assert {"contact_name", "contact_email", "contact_phone"} <= set(codes)
    sheet = {r["response_id"].value: r for r in records(workbook["Responses"])}
    scores = {r["response_id"].value: r for r in records(workbook["Scores"])}
    item = next(i for i in page["items"] if i["response_id"] == export_wave.dong_a.id)
    cells = sheet[export_wave.dong_a.id]
    _same_values(page, item, cells, scores[export_wave.dong_a.id])
    assert item["firm_name"] == VIETNAMESE_NAME and item["contact_email"] == "hang@dong-a.example.vn"
    assert item["tech_iot"] == 1 and item["submitted_at"].endswith("+00:00")
    rejected = next(i for i in page["items"] if i["response_id"] == export_wave.rejected.id)
    assert rejected["rejected"] is True and rejected["review_state"] == "rejected"
    # Every state, in id order; the other wave's response is not there.
    ids = [i["response_id"] for i in page["items"]]
    assert (
        ids == sorted(ids) and export_wave.draft.id in ids and export_wave.other_wave_response.id not in ids
    )
    assert page["next_after"] is None and page["framework"] == {"code": "dbi-2021-sme", "version": 1}


def _same_values(page: dict, item: dict, cells: dict, scores: dict) -> None:
    """``item`` holds what the workbook's row holds, as JSON values."""
    kinds = {c["code"]: c["kind"] for c in page["columns"]}
    for code in kinds:
        if code in ("created_at", "submitted_at", "updated_at"):
            continue
        if kinds[code] == "multi":  # a list in JSON, joined by "; " in a cell
            assert "; ".join(item[code]) == cells[code].value, code
        elif code in cells:
            assert item[code] == cells[code].value, code
        else:
            expected = scores[code].value
            assert item[code] == expected or abs(item[code] - expected) < 1e-9, code


def test_figures_shared_figures_and_components_are_the_workbooks_too(client, db, analyst):
    from survey import frameworks

    wave = factories.wave(framework_version=factories.framework_version(2))
    response = factories.response(wave, answers=factories.answers_at(frameworks.load("dbi-2021-sme", 2), 0.5))
    db.session.commit()
    page = client.get(f"/api/v1/waves/{wave.id}/responses", headers=analyst).get_json()
    workbook = _workbook(db, wave)
    item = page["items"][0]
    assert any(c["kind"] == "figure" for c in page["columns"]) and any(
        c["code"].startswith("c1.") for c in page["columns"]
    )
    cells = {r["response_id"].value: r for r in records(workbook["Responses"])}[response.id]
    scores = {r["response_id"].value: r for r in records(workbook["Scores"])}[response.id]
    _same_values(page, item, cells, scores)


def test_json_values_are_not_escaped_for_spreadsheets(client, db, analyst, export_wave):  # noqa: F811
    items = client.get(f"/api/v1/waves/{export_wave.wave.id}/responses", headers=analyst).get_json()["items"]
    names = {i["firm_name"] for i in items}
    assert set(PAYLOADS) <= names  # "=1+1" as typed: JSON is no formula


def test_a_households_personal_id_is_masked(client, db, analyst):
    wave = factories.wave()
    firm = factories.household()
    factories.response(wave, firm, {}, submit=False)
    db.session.commit()
    item = client.get(f"/api/v1/waves/{wave.id}/responses", headers=analyst).get_json()["items"][0]
    assert item["tax_code"] == mask(firm.id_type, firm.tax_code) != firm.tax_code


def test_pages_follow_the_keyset_and_the_filters(client, db, analyst, export_wave):  # noqa: F811
    pages = _pages(client, analyst, export_wave.wave.id, limit=3)
    ids = [i["response_id"] for p in pages for i in p["items"]]
    everything = [r["id"] for r in export_rows.response_rows(db.session, export_wave.wave)]
    assert ids == everything and len(pages) == -(-len(everything) // 3) + (len(everything) % 3 == 0)
    assert all(len(p["items"]) == 3 for p in pages[:-1])
    only_g = _pages(client, analyst, export_wave.wave.id, limit=3, query="&sector=G")
    assert [i["sector"] for p in only_g for i in p["items"]] == ["G"]
    assert only_g[0]["filters"] == {"sector": "G"}
