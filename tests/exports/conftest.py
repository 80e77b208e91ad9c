"""A small wave for the export tests: every state, a rejected response, hostile text."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from survey import frameworks
from survey.models import Ownership, Response, ResponseState, ReviewState
from tests import factories

#: The bulk of the export tests run on version 1 (choice answers); version 2's figures,
#: shared figures and components have their own tests (test_v2_workbook.py).
FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
ENGAGED = factories.answers_at(FRAMEWORK, 1.0)
MIDDLE = factories.answers_at(FRAMEWORK, 0.5)
OUTSIDE = factories.answers_at(FRAMEWORK, 0.0)

#: Text that a spreadsheet program would run as a formula if written as it is.
PAYLOADS = ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR")
FREE_TEXT = ("firm_name", "contact_name", "contact_email", "contact_phone", "review_reason")
VIETNAMESE_NAME = "Công ty TNHH Đông Á"


@dataclass
class ExportWave:
    wave: object
    dong_a: Response
    draft: Response
    rejected: Response
    hostile: list[Response]
    other_wave_response: Response


@pytest.fixture
def export_wave(db) -> ExportWave:
    """Responses of one wave in unit 11311 (sector C) unless said otherwise.

    - Đông Á: submitted, engaged, two Industry 4.0 technologies, contact details;
    - a firm in unit 11557 (sector G): submitted, outside;
    - a draft with half its answers;
    - a rejected response (submitted, then rejected in review);
    - one submitted response per formula payload, the payload in every free-text field;
    - and a response to another wave, which no export of this wave may show.
    """
    wave = factories.wave(name="Khảo sát 2025")
    other = factories.wave(name="Khảo sát 2024")
    dong_a = factories.response(
        wave,
        factories.enterprise(name=VIETNAMESE_NAME),
        ENGAGED,
        firm_name=VIETNAMESE_NAME,
        contact_name="Nguyễn Thị Hằng",
        contact_email="hang@dong-a.example.vn",
        contact_phone="0225 383 1234",
        technologies=["iot", "ai"],
    )
    factories.response(
        wave,
        factories.enterprise(unit_id=factories.unit("11557").id, sector_code="G", ownership=Ownership.STATE),
        OUTSIDE,
        firm_name="Hợp tác xã Thủy Nguyên",
    )
    half = dict(list(MIDDLE.items())[:10])
    draft = factories.response(wave, answers=half, submit=False, firm_name="Bản nháp")
    rejected = factories.response(
        wave,
        answers=MIDDLE,
        firm_name="Công ty bị loại",
        review_state=ReviewState.REJECTED,
        review_reason="Trả lời không nghiêm túc",
    )
    hostile = [
        factories.response(wave, answers=MIDDLE, **dict.fromkeys(FREE_TEXT, payload)) for payload in PAYLOADS
    ]
    other_wave_response = factories.response(other, answers=ENGAGED, firm_name="Đợt khác")
    assert draft.state is ResponseState.DRAFT
    return ExportWave(wave, dong_a, draft, rejected, hostile, other_wave_response)
