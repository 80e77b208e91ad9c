"""A baseline endpoint for ``bench/submit_bench.py``, registered only when BENCH_ENDPOINTS is on.

It does the least a submission must: parse the same form and write the answers as one
row in one transaction. The benchmark compares the real submit with it, so the figure
says what our validation, scoring and bookkeeping cost on top of the database write.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request

from survey import work
from survey.extensions import csrf, db
from survey.models import AuditEvent

bp = Blueprint("bench", __name__, url_prefix="/_bench")


@bp.post("/bare")
@csrf.exempt
@work.writes
def bare():
    answers = request.form.to_dict(flat=False)
    db.session.add(AuditEvent(action="bench.bare", details=answers))
    return "", 204


def init_app(app: Flask) -> None:
    if app.config.get("BENCH_ENDPOINTS"):
        app.register_blueprint(bp)
