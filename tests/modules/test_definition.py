"""Module definitions are checked like framework definitions, and recorded versions never change."""

from __future__ import annotations

import copy

import pytest
import yaml
from sqlalchemy import select

from survey import modules
from survey.models import ModuleVersion
from survey.modules import ModuleError, from_dict
from survey.modules import answers as module_answers
from survey.registry import reference_data

RAW = yaml.safe_load((modules.FOLDER / "barriers-needs.v1.yaml").read_text(encoding="utf-8"))


def test_the_shipped_modules_have_the_published_structure():
    barriers = modules.load("barriers-needs")
    ratings = [q for q in barriers.questions if q.kind == "rating"]
    assert len(ratings) == 9 and all(q.scale == "barrier" and q.is_required for q in ratings)
    assert ratings[0].text.vi == "Rào cản về chi phí đầu tư, ứng dụng công nghệ"
    assert ratings[-1].text.vi == "Sợ rò rỉ dữ liệu cá nhân/doanh nghiệp"
    assert [q.code for q in barriers.questions if q.kind == "text"] == [
        "barriers_other",
        "needs_text",
        "proposals",
    ]
    assert barriers.question("needs").kind == "checklist" and not barriers.question("needs").is_required
    readiness = modules.load("readiness")
    assert [len(s.questions) for s in readiness.sections] == [5, 5, 5, 5, 5, 4]
    assert readiness.wording == "project" and barriers.wording == "published"
    # Every pillar a module names is a pillar of the framework it is used with.
    pillars = {
        p.code for p in __import__("survey.frameworks", fromlist=["load"]).load("dbi-2021-sme").pillars
    }
    assert barriers.check_pillars(pillars) == [] and readiness.check_pillars(pillars) == []


def _broken(change) -> dict:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda r: r["sections"][0]["questions"][0].pop("scale"), "a rating names its scale"),
        (lambda r: r["sections"][0]["questions"][0].update(scale="nope"), "no scale 'nope'"),
        (lambda r: r["sections"][1]["questions"][0].update(options=[]), "a checklist needs options"),
        (lambda r: r["sections"][0]["questions"][1].update(code="cost"), "question codes used twice: cost"),
        (lambda r: r["sections"][0]["questions"][0].update(colour="red"), "sections.0.questions.0.colour"),
        (lambda r: r["scales"][0]["points"].pop(0), "points must be 1, 2"),
        (lambda r: r.update(high_from=9), "high_from 9 is not inside scale barrier"),
        (lambda r: r["title"].pop("en"), "title.en"),
        (
            lambda r: r["sections"][0]["questions"][9].update(advice={"vi": "a", "en": "b"}),
            "no pillars or advice",
        ),
        (lambda r: r.update(code="Bad Code"), "code"),
    ],
)
def test_a_bad_definition_is_refused_naming_where(change, says):
    with pytest.raises(ModuleError) as refused:
        from_dict(_broken(change), "barriers-needs.v1.yaml")
    assert says in str(refused.value) and str(refused.value).startswith("barriers-needs.v1.yaml: ")


def test_answers_rows_round_trip_and_ignore_what_the_module_does_not_ask():
    module = modules.load("barriers-needs")
    answers = {"cost": 4, "needs": ["cloud", "assessment"], "proposals": "  Đề xuất  ", "unknown": 3}
    rows = module_answers.to_rows(module, answers)
    assert ("unknown", "", 3, None) not in rows
    assert module_answers.from_rows(module, rows) == {
        "cost": 4,
        "needs": ["assessment", "cloud"],
        "proposals": "Đề xuất",
    }
    assert module_answers.high(module, {"cost": 4, "habits": 3, "skills": 5}) == ["cost", "skills"]
    assert module_answers.missing(module, {"cost": 4})[:2] == ["habits", "skills"]


def test_a_recorded_version_whose_file_changed_is_refused(db, monkeypatch):
    recorded = db.session.scalars(select(ModuleVersion).filter_by(code="readiness", version=1)).one()
    assert recorded.content_hash == modules.load("readiness").content_hash
    assert reference_data.record_modules(db.session).added == 0
    recorded.content_hash = "0" * 64
    db.session.flush()
    with pytest.raises(ModuleError, match="recorded with different content"):
        reference_data.record_modules(db.session)
