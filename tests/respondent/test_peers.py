"""How a firm compares with its peers, without giving any one peer's scores away.

The probe: the average of 6 peers before and that of 7 after one firm submitted gave
that firm's total within 0.1 point and every pillar within 0.3. Peers now count from
the day after they submitted, rejected ones never, and the figures are rounded.
"""

from __future__ import annotations

import re
from datetime import timedelta

from survey.models import ReviewState
from survey.models.base import utcnow
from survey.respondent import services
from tests import factories
from tests.respondent import helpers

FRAMEWORK = helpers.FRAMEWORK
YESTERDAY = timedelta(days=1, hours=1)


def peer(wave, fraction: float, **fields):
    # Trade (G) like transport (H) is trade & services; 30 employees, 20 bn: small.
    firm = factories.enterprise(sector_code="G", employees=30, revenue_vnd=20 * 10**9, capital_vnd=None)
    response = factories.response(wave, firm, factories.answers_at(FRAMEWORK, fraction))
    for name, value in fields.items():
        setattr(response, name, value)
    return response


def comparison(client) -> tuple[str, list[str]] | None:
    page = client.get("/result", headers={"Accept-Language": "en"}).get_data(as_text=True)
    if 'data-testid="no-peers"' in page:
        return None
    sentence = re.search(r'data-testid="peers">([^<]*)<', page).group(1)
    pillars = re.findall(r'<tr data-pillar="[^"]+">.*?<td>([^<]*)</td></tr>', page)
    return sentence, pillars


def test_peers_count_from_the_next_day_and_never_when_rejected(client, db, wave):
    yesterday = utcnow() - YESTERDAY
    for fraction in (0.1, 0.2, 0.3, 0.4):
        peer(wave, fraction, submitted_at=yesterday)
    peer(wave, 0.9, submitted_at=yesterday, review_state=ReviewState.REJECTED)
    db.session.commit()
    helpers.start(client, factories.tax_code(), sector_code="G")
    helpers.complete(client)
    helpers.submit(client)
    assert comparison(client) is None  # 4 peers: the rejected one does not count

    peer(wave, 0.5, submitted_at=yesterday)
    db.session.commit()
    before = comparison(client)
    assert before is not None and "Average of 5 submitted enterprises" in before[0]

    # One more firm submits today: nothing moves until tomorrow, so nothing can be
    # learnt about it by comparing the figures before and after.
    today = peer(wave, 1.0)
    db.session.commit()
    assert comparison(client) == before
    today.submitted_at = yesterday
    db.session.commit()
    after = comparison(client)
    assert "Average of 6 submitted enterprises" in after[0] and after != before


def test_the_averages_are_coarse(db, wave):
    yesterday = utcnow() - YESTERDAY
    for fraction in (0.13, 0.27, 0.41, 0.58, 0.66):
        peer(wave, fraction, submitted_at=yesterday)
    me = peer(wave, 0.5)
    db.session.flush()
    found = services.peer_comparison(db.session, me, 5, services.peer_cutoff(utcnow()))
    assert found.n == 5
    assert isinstance(found.mean_total, int)
    assert found.pillar_means and all(
        v % services.PEER_PERCENT_STEP == 0 for v in found.pillar_means.values()
    )


def test_the_cutoff_is_midnight_in_hai_phong():
    from datetime import UTC, datetime

    # 23:30 UTC on 1 December is 06:30 on 2 December in Hải Phòng (UTC+7).
    assert services.peer_cutoff(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == datetime(
        2026, 12, 1, 17, 0, tzinfo=UTC
    )
