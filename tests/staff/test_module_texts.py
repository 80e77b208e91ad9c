"""The free-text answers page: who may read it, search without diacritics, filter, pages, escaping."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from survey import frameworks
from survey.models import AuditEvent, Response, ReviewState, Role
from survey.responses import folding
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
ANSWERS = factories.answers_at(FRAMEWORK, 0.5)
SCRIPT = "<script>alert('x')</script> Cần hỗ trợ"


@dataclass
class TextWave:
    wave: object
    infrastructure: Response
    training: Response
    hostile: Response
    draft: Response


def answered(wave, name: str, texts: dict, submit: bool = True, **fields) -> Response:
    r = factories.response(
        wave, factories.enterprise(name=name), ANSWERS, submit=submit, firm_name=name, **fields
    )
    factories.answer_module(r, "barriers-needs", {"cost": 4, "needs": ["training"], **texts})
    return r


@pytest.fixture
def text_wave(db) -> TextWave:
    wave = factories.with_modules(factories.wave(name="Đợt có ý kiến"), "barriers-needs", "readiness")
    infrastructure = answered(
        wave,
        "Công ty Hạ Tầng",
        {"barriers_other": "Thiếu HẠ TẦNG mạng ở khu công nghiệp", "proposals": "Giảm phí đường truyền"},
    )
    # Typed on a keyboard that sends decomposed letters (the base, then its marks).
    training = answered(
        wave, "Hợp tác xã Đào Tạo", {"needs_text": unicodedata.normalize("NFD", "Cần đào tạo kỹ năng số")}
    )
    hostile = answered(wave, "Công ty <b>Lạ</b>", {"proposals": SCRIPT}, review_state=ReviewState.REJECTED)
    draft = answered(wave, "Bản nháp", {"proposals": "ha tang chua on dinh"}, submit=False)
    # Another wave's answers never show on this wave's page.
    other = factories.with_modules(factories.wave(name="Đợt khác"), "barriers-needs")
    answered(other, "Đợt khác", {"proposals": "hạ tầng của đợt khác"})
    db.session.commit()
    return TextWave(wave, infrastructure, training, hostile, draft)


def listed(client, wave, **params) -> tuple[int, list[tuple[str, str]], str]:
    """(total, [(response id, question key)], page) of the page with ``params``."""
    response = client.get(f"/staff/waves/{wave.id}/texts", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    page = response.get_data(as_text=True)
    total = int(re.search(r'data-testid="total">(\d+)', page).group(1))
    return total, re.findall(r'<li data-response="(\d+)" data-question="([^"]+)"', page), page


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.ANALYST, 200), (Role.ADMIN, 200)])
def test_only_analysts_and_admins_read_the_texts(client, as_role, text_wave, role, status):
    as_role(role)
    response = client.get(f"/staff/waves/{text_wave.wave.id}/texts")
    assert response.status_code == status
    if status == 403:
        assert "HẠ TẦNG" not in response.get_data(as_text=True)


def test_anonymous_users_are_sent_to_log_in(client, text_wave):
    response = client.get(f"/staff/waves/{text_wave.wave.id}/texts")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_every_text_answer_of_the_wave_with_its_firm_date_and_link(client, as_role, text_wave):
    as_role(Role.ANALYST)
    total, rows, page = listed(client, text_wave.wave)
    infra, training, hostile, draft = (
        str(r.id) for r in (text_wave.infrastructure, text_wave.training, text_wave.hostile, text_wave.draft)
    )
    assert total == 5 and len(rows) == 5  # texts only: no rating, no checklist, no other wave
    # Newest submission first, drafts last; a response's answers in the module's order.
    assert rows == [
        (hostile, "barriers-needs.proposals"),
        (training, "barriers-needs.needs_text"),
        (infra, "barriers-needs.barriers_other"),
        (infra, "barriers-needs.proposals"),
        (draft, "barriers-needs.proposals"),
    ]
    assert (
        "Barriers and needs: Questions or proposals" in page
        or "Rào cản và nhu cầu: Hỏi/đáp hoặc đề xuất" in page
    )
    assert f'href="/staff/responses/{infra}"' in page and "Công ty Hạ Tầng" in page
    assert "submitted" in page or "nộp" in page
    assert "đợt khác" not in page


def test_answers_and_names_are_escaped(client, as_role, text_wave):
    as_role(Role.ADMIN)
    _, _, page = listed(client, text_wave.wave)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>Lạ</b>" not in page and "&lt;b&gt;Lạ&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "search",
    ["hạ tầng", "ha tang", "HA TANG", "Hạ Tầng", unicodedata.normalize("NFD", "hạ tầng"), "hẠ tẦnG"],
)
def test_search_ignores_diacritics_and_case(client, as_role, text_wave, search):
    """Found whether typed with or without marks, precomposed or decomposed, in any case;
    and it finds text written either way (the draft's "ha tang" has no marks)."""
    as_role(Role.ANALYST)
    total, rows, _ = listed(client, text_wave.wave, q=search)
    assert total == 2
    assert {r for r, _ in rows} == {str(text_wave.infrastructure.id), str(text_wave.draft.id)}


def test_search_finds_decomposed_text_and_takes_wildcards_literally(client, as_role, text_wave):
    as_role(Role.ANALYST)
    assert listed(client, text_wave.wave, q="đào tạo kỹ năng")[1] == [
        (str(text_wave.training.id), "barriers-needs.needs_text")
    ]
    assert listed(client, text_wave.wave, q="dao tao ky nang")[0] == 1
    assert listed(client, text_wave.wave, q="%")[0] == 0
    assert listed(client, text_wave.wave, q="_")[0] == 0
    assert listed(client, text_wave.wave, q="không có chữ này")[0] == 0


def test_filter_by_question_and_search_together(client, as_role, text_wave):
    as_role(Role.ANALYST)
    total, rows, page = listed(client, text_wave.wave, question="barriers-needs.proposals")
    assert total == 3 and {q for _, q in rows} == {"barriers-needs.proposals"}
    assert '<option value="barriers-needs.proposals" selected>' in page
    total, rows, _ = listed(client, text_wave.wave, question="barriers-needs.proposals", q="ha tang")
    assert rows == [(str(text_wave.draft.id), "barriers-needs.proposals")]


@pytest.mark.parametrize(
    "params", [{"question": "readiness.lead_vision"}, {"question": "nope"}, {"page": "x"}]
)
def test_parameters_off_the_list_are_refused(client, as_role, text_wave, params):
    as_role(Role.ANALYST)
    assert client.get(f"/staff/waves/{text_wave.wave.id}/texts", query_string=params).status_code == 400


def test_pages(app, client, as_role, text_wave, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    as_role(Role.ANALYST)
    seen = []
    for number in (1, 2, 3):
        total, rows, page = listed(client, text_wave.wave, page=number)
        assert total == 5
        seen += rows
        assert (f"page={number + 1}" in page) is (number < 3)
        assert (f"page={number - 1}" in page) is (number > 1)
    assert len(seen) == 5 and len(set(seen)) == 5
    # Past the last page: the last page; the pager keeps the search.
    assert listed(client, text_wave.wave, page=9)[1] == seen[4:]
    _, _, page = listed(client, text_wave.wave, q="a", question="barriers-needs.proposals")
    assert "question=barriers-needs.proposals" in page and "q=a" in page


def test_the_page_is_a_get_form_and_changes_nothing(client, db, as_role, text_wave):
    as_role(Role.ANALYST)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    _, _, page = listed(client, text_wave.wave, q="hạ tầng")
    assert re.search(r'<form method="get"', page)
    assert client.post(f"/staff/waves/{text_wave.wave.id}/texts").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_whole_personal_id_is_never_searched(client, as_role, text_wave):
    as_role(Role.ANALYST)
    response = client.get(
        f"/staff/waves/{text_wave.wave.id}/texts?q=031080123456&question=barriers-needs.proposals"
    )
    assert response.status_code == 303
    assert "031080123456" not in response.headers["Location"]
    assert "question=barriers-needs.proposals" in response.headers["Location"]


def test_unknown_wave_and_a_wave_without_text_questions(client, as_role, db):
    as_role(Role.ANALYST)
    assert client.get("/staff/waves/999999/texts").status_code == 404
    plain = factories.wave(name="Không có phần tự luận")
    db.session.commit()
    response = client.get(f"/staff/waves/{plain.id}/texts")
    assert response.status_code == 200
    assert 'data-testid="no-questions"' in response.get_data(as_text=True)


def test_waves_list_links_to_the_texts_of_waves_that_ask_for_them(client, as_role, db, text_wave):
    readiness_only = factories.with_modules(factories.wave(name="Chỉ sẵn sàng"), "readiness")
    db.session.commit()
    as_role(Role.ANALYST)
    page = client.get("/staff/waves").get_data(as_text=True)
    assert f'href="/staff/waves/{text_wave.wave.id}/texts"' in page
    assert f'href="/staff/waves/{readiness_only.id}/texts"' not in page


def test_viewers_get_no_link_to_the_texts(client, as_role, text_wave):
    as_role(Role.VIEWER)
    assert "/texts" not in client.get("/staff/waves").get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hạ TẦNG", "ha tang"),
        ("Đường", "duong"),
        (unicodedata.normalize("NFD", "Ưu tiên"), "uu tien"),
        ("ABC", "abc"),
    ],
)
def test_fold_in_python_and_in_sql_agree(db, text, folded):
    assert folding.fold(text) == folded
    folding.prepare(db.session)
    assert db.session.scalar(select(folding.folded(text))) == folded


def test_fold_covers_every_vietnamese_letter(db):
    letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    plain = "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + "u" * 11 + "y" * 5 + "d"
    folding.prepare(db.session)
    for text in (letters, letters.upper()):
        assert folding.fold(text) == plain
        assert db.session.scalar(select(folding.folded(text))) == plain
