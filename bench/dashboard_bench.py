"""The staff dashboard page for a 100,000-response wave against the bare SQL it needs.

(a) Server time of GET /staff/dashboard (rollup, breakdowns, technologies, rendering),
measured in-process through the test client, as a ratio to running the bare GROUP BY
statements the page needs in the same process. Target: within 1.5x.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text

from bench.data import load_wave, prepare_database
from bench.rollup_bench import STRATA_QUERIES, WHERE, bare_queries, scratch_url
from bench.timing import ratio
from survey import create_app
from survey.extensions import db
from survey.models import FrameworkVersion, Role, StaffUser
from survey.reports.breakdowns import DASHBOARD

PASSWORD = "bench-password-long"  # noqa: S105


def _technology_query(dialect: str) -> str:
    unnest = (
        "json_array_elements_text(r.technologies) AS t(value)"
        if dialect == "postgresql"
        else "json_each(r.technologies) AS t"
    )
    return f"SELECT t.value, count(*) FROM responses r, {unnest} WHERE {WHERE} GROUP BY t.value"


def run(backend: str, n: int, pg_url: str) -> bool:
    url, cleanup = scratch_url(backend, pg_url, "survey_bench_dashboard")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            prepare_database(app)
            version = db.session.scalars(select(FrameworkVersion)).first()
            wave = load_wave(version, n, seed=5)
            user = StaffUser(email="bench@example.org", role=Role.VIEWER)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            if backend == "postgres":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            wave_id = wave.id
            dialect = db.engine.dialect.name
        client = app.test_client()
        page = client.get("/staff/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/staff/login", data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token}
        )
        statements = [*bare_queries(None), *STRATA_QUERIES, _technology_query(dialect)]
        for by in DASHBOARD.breakdowns:
            statements += bare_queries(by)

        def page_request():
            response = client.get(f"/staff/dashboard?wave={wave_id}")
            assert response.status_code == 200, response.status_code

        def bare():
            with app.app_context():
                for sql in statements:
                    db.session.execute(text(sql), {"w": wave_id}).all()
                db.session.remove()

        r = ratio(page_request, bare, repeat=5)
        ok = r <= 1.5
        print(f"\n== dashboard on {backend} ({n:,} submitted responses)")
        print(
            f"  GET /staff/dashboard / its {len(statements)} bare GROUP BY statements: {r:.2f}x  "
            f"target <= 1.50  {'ok' if ok else 'MISSED'}"
        )
        return ok
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cleanup()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    run(args.db, args.n, args.pg_url)
