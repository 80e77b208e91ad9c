"""The demo wave carries both modules, and every submitted demo response answered them."""

from sqlalchemy import select

from survey.models import Response, ResponseState
from survey.registry.demo import seed_demo
from survey.responses import modules


def test_the_demo_answers_the_modules_and_barriers_fall_with_maturity(db, framework_version):
    result = seed_demo(db.session, 150, 7, framework_version)
    assert [m.module_version.code for m in result.wave.modules] == ["barriers-needs", "readiness"]
    submitted = db.session.scalars(
        select(Response).filter_by(wave_id=result.wave.id, state=ResponseState.SUBMITTED)
    ).all()
    assert submitted
    low, high = [], []
    for response in submitted:
        assert modules.missing(response) == []
        barriers = modules.answers_of(response, modules.carried(result.wave)[0])
        mean = sum(barriers[q] for q in ("cost", "skills", "leadership")) / 3
        (low if response.total_points < 100 else high).append(mean)
    assert low and high and sum(low) / len(low) > sum(high) / len(high)
