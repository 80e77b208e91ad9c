"""Walking the respondent journey through the test client."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from survey import frameworks
from survey.respondent.forms import field_name, figure_name
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
V2 = frameworks.load("dbi-2021-sme", 2)


def token_of(client, path: str) -> str:
    return client.csrf_token(path)


def firm_data(**overrides) -> dict:
    data = {
        "firm_name": "Công ty TNHH Cảng Xanh",
        "unit_id": str(factories.unit("11311").id),
        "sector_code": "H",
        "ownership": "private",
        "employees": "25",
        "revenue_bn": "12.5",
        "capital_bn": "",
        "contact_name": "Nguyễn Thị Lan",
        "contact_email": "lan@example.vn",
        "contact_phone": "0912 345 678",
        "website": "",
    }
    data.update(overrides)
    return data


def start(client, tax_code: str, kind: str = "enterprise", **firm_overrides):
    """Start page then firm page; returns the response to the firm POST."""
    token = token_of(client, "/start")
    response = client.post(
        "/start", data={"kind": kind, "tax_code": tax_code, "consent": "y", "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = token_of(client, "/firm")
    return client.post("/firm", data={**firm_data(**firm_overrides), "csrf_token": token})


def pillar_answers(pillar, fraction: float = 0.5, framework=FRAMEWORK) -> dict:
    """The form data of one pillar's page: field name -> value(s), as a browser posts it."""
    all_answers = factories.answers_at(framework, fraction)
    data = {}
    for c in pillar.criteria:
        answer = all_answers[c.code]
        if isinstance(answer, dict):  # a figure: its boxes, and its shared figure's
            data[figure_name(c.code, "value")] = answer["value"]
            if "of" in answer:
                data[figure_name(c.code, "of")] = answer["of"]
            else:
                data[field_name(c.base)] = all_answers[c.base]
        else:
            data[field_name(c.code)] = answer
    return data


def answer_step(client, step: int, answers: dict, action: str = "next"):
    token = token_of(client, f"/assessment/{step}")
    data = [("csrf_token", token), ("action", action)]
    for code, value in answers.items():
        for v in value if isinstance(value, list) else [value]:
            data.append((code, v))
    return client.post(f"/assessment/{step}", data=MultiDict(data))


def complete(client, fraction: float = 0.5, framework=FRAMEWORK, then: str = "/review"):
    """Answer every pillar and the technologies; ``then`` is where the last page leads
    (the first unscored module's page when the wave carries modules)."""
    for step, pillar in enumerate(framework.pillars, start=1):
        response = answer_step(client, step, pillar_answers(pillar, fraction, framework))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    technologies = len(framework.pillars) + 1
    token = token_of(client, f"/assessment/{technologies}")
    response = client.post(
        f"/assessment/{technologies}",
        data={"csrf_token": token, "action": "next", "technologies": ["cloud", "iot"]},
    )
    assert response.headers["Location"].endswith(then)


def submit(client):
    token = token_of(client, "/review")
    return client.post("/submit", data={"csrf_token": token})


def resume_link(client, path: str = "/assessment/1") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'id="resume-link"[^>]*value="([^"]+)"', page)
    assert match, "no resume link on the page"
    return match.group(1)


def without_tokens(page: str) -> str:
    """A page without its CSRF tokens (every page's language switch carries one)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)
