"""Module answers stored as rows, read back, replaced on a second save, and pinned."""

from survey.models import ModuleAnswer, ResponseModule
from survey.responses import modules
from tests import factories


def test_answers_round_trip_and_pin(db):
    wave = factories.with_modules(factories.wave(), "barriers-needs", "readiness")
    response = factories.response(wave, submit=False)
    barriers = modules.carried(wave)[0]
    factories.answer_module(
        response,
        "barriers-needs",
        {"cost": 5, "habits": 2, "needs": ["training", "assessment"], "proposals": "  Hỗ trợ  "},
    )
    assert modules.answers_of(response, barriers) == {
        "cost": 5,
        "habits": 2,
        "needs": ["assessment", "training"],
        "proposals": "Hỗ trợ",
    }
    pins = db.session.query(ResponseModule).filter_by(response_id=response.id).all()
    assert [p.module_version.label for p in pins] == ["barriers-needs v1"]
    # A second save replaces: what is not sent again is gone.
    factories.answer_module(response, "barriers-needs", {"cost": 3, "needs": ["cloud"]})
    db.session.expire_all()
    assert modules.answers_of(response, barriers) == {"cost": 3, "needs": ["cloud"]}
    assert db.session.query(ModuleAnswer).filter_by(response_id=response.id).count() == 2
    missing = {(c.version.code, q) for c, q in modules.missing(response)}
    assert ("barriers-needs", "habits") in missing and ("barriers-needs", "cost") not in missing
    assert sum(1 for c, _ in missing if c == "readiness") == 29
