"""One rule for which responses count: a rejected one never counts, in any figure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from survey import frameworks
from survey.main import summary
from survey.models import ReviewState
from survey.models.base import utcnow
from survey.respondent import services
from survey.statistics import rollup as rollups
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
SURVEY = Path(__file__).resolve().parents[2] / "survey"


def peer(wave, fraction: float, **fields):
    # Trade (G), 30 employees, 20 bn revenue: small trade & services, one peer group.
    firm = factories.enterprise(sector_code="G", employees=30, revenue_vnd=20 * 10**9, capital_vnd=None)
    response = factories.response(wave, firm, factories.answers_at(FRAMEWORK, fraction))
    response.submitted_at = utcnow() - timedelta(days=2)
    return response


def test_a_rejected_response_counts_neither_in_the_rollup_nor_among_peers(app, db):
    wave = factories.wave()
    for fraction in (0.1, 0.2, 0.3, 0.4, 0.5):
        peer(wave, fraction)
    doubtful = peer(wave, 1.0)
    me = peer(wave, 0.6)
    factories.response(
        wave, answers=dict(list(factories.answers_at(FRAMEWORK, 0.5).items())[:5]), submit=False
    )
    db.session.flush()
    cutoff = services.peer_cutoff(utcnow())
    with app.test_request_context():
        stamp = summary.data_stamp(db.session, wave)

    assert rollups.rollup(db.session, wave)["overall"]["n"] == 7  # the draft never counts
    assert services.peer_comparison(db.session, me, 5, cutoff).n == 6

    doubtful.review_state = ReviewState.REJECTED
    db.session.flush()
    overall = rollups.rollup(db.session, wave, by="sector")
    assert overall["overall"]["n"] == 6
    assert [g["n"] for g in overall["groups"]] == [6]
    # The population estimate's respondents too.
    assert sum(row[-1] for row in rollups.respondent_counts(db.session, wave, ["sector"])) == 6
    assert services.peer_comparison(db.session, me, 5, cutoff).n == 5
    assert services.peer_comparison(db.session, me, 6, cutoff) is None
    with app.test_request_context():
        assert summary.data_stamp(db.session, wave) != stamp  # the public summary recomputes

    # Flagged is a question, not a verdict: it counts.
    doubtful.review_state = ReviewState.FLAGGED
    db.session.flush()
    assert rollups.rollup(db.session, wave)["overall"]["n"] == 7
    assert services.peer_comparison(db.session, me, 5, cutoff).n == 6


def test_the_rule_is_written_once():
    """No query outside survey/reports/counted.py spells out the rejected-in-review rule."""
    spelled = []
    for path in SURVEY.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "!= ReviewState.REJECTED" in text or "review_state != " in text:
            spelled.append(str(path.relative_to(SURVEY)))
    assert spelled == ["reports/counted.py"]
