"""The command-line interface: each command does what it says and fails clearly."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from survey.extensions import db as _db
from survey.models import AdminUnit, AuditEvent, Enterprise, Response, ResponseState, Role, StaffUser
from tests import factories
from tests.conftest import make_app


@pytest.fixture
def fresh_app(tmp_path):
    """An app over an empty SQLite file, for commands that build a database."""
    app = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_init_db_then_seed_reference_is_idempotent(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "newest schema" in result.output
    first = runner.invoke(args=["seed-reference"])
    assert first.exit_code == 0, first.output
    assert "administrative units: 114 added" in first.output
    assert "sectors: 21 added" in first.output
    assert "framework versions: 2 added" in first.output
    again = runner.invoke(args=["seed-reference"])
    assert again.exit_code == 0
    assert "administrative units: 0 added, 0 updated, 114 unchanged" in again.output
    with fresh_app.app_context():
        kinds = dict(_db.session.execute(select(AdminUnit.kind, func.count()).group_by(AdminUnit.kind)).all())
    assert {k.value: n for k, n in kinds.items()} == {"phuong": 45, "xa": 67, "dac_khu": 2}


def test_seed_reference_refuses_a_bad_csv_and_writes_nothing(runner, db, tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name_vi,kind,former_area\n99990,Phường Mới,phuong,X\n99991,Xã Lạ,village,Y\n", encoding="utf-8"
    )
    result = runner.invoke(args=["seed-reference", "--units", str(bad)])
    assert result.exit_code != 0
    assert "line 3" in result.output and "village" in result.output
    assert db.session.scalar(select(AdminUnit).filter_by(code="99990")) is None


def test_reloading_units_updates_renames_and_deactivates(runner, db, tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_text(
        "code,name_vi,kind,former_area\n11311,Phường Hồng Bàng Mới,phuong,Quận Hồng Bàng\n", encoding="utf-8"
    )
    result = runner.invoke(args=["seed-reference", "--units", str(csv)])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "113 deactivated" in result.output
    unit = db.session.scalar(select(AdminUnit).filter_by(code="11311"))
    assert unit.name_vi == "Phường Hồng Bàng Mới" and unit.active
    assert db.session.scalar(select(func.count()).select_from(AdminUnit).filter_by(active=True)) == 1


def test_create_user_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(
        args=["create-user", "Analyst@Example.org", "--role", "analyst"], input="a-long-secret-phrase\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser).filter_by(email="analyst@example.org"))
    assert user.role is Role.ANALYST
    assert user.check_password("a-long-secret-phrase")
    assert "a-long-secret-phrase" not in user.password_hash


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-user", "x@example.org", "--role", "analyst"], "short\n", "at least 12"),
        (["create-user", "not-an-email", "--role", "analyst"], "a-long-secret-phrase\n", "not an email"),
        (["create-user", "x@example.org", "--role", "boss"], "a-long-secret-phrase\n", "boss"),
    ],
)
def test_create_user_rejects_bad_input(runner, db, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0


def test_create_user_refuses_a_duplicate(runner, db):
    args = ["create-user", "dup@example.org", "--role", "viewer"]
    assert runner.invoke(args=args, input="a-long-secret-phrase\n").exit_code == 0
    result = runner.invoke(args=args, input="another-long-phrase\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_seed_demo_builds_a_scored_wave_and_a_demo_admin(runner, db):
    result = runner.invoke(args=["seed-demo", "--firms", "300", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "Demo register: 300 firms" in result.output
    assert "demo.admin@example.org  password: " in result.output
    password = result.output.rsplit("password: ", 1)[1].strip()
    admin = db.session.scalar(select(StaffUser).filter_by(email="demo.admin@example.org"))
    assert admin.role is Role.ADMIN and admin.check_password(password)

    submitted = db.session.scalars(select(Response).filter_by(state=ResponseState.SUBMITTED)).all()
    assert len(submitted) > 200
    assert all(r.overall_level is not None and len(r.pillar_scores) == 6 for r in submitted)
    # Firms spread over many units and sectors; every tax code valid and unique.
    firms = db.session.scalars(select(Enterprise)).all()
    assert len({f.unit_id for f in firms}) > 80
    assert len({f.sector_code for f in firms}) >= 10
    # The maturity spread resembles the 2022 report (76% outside, ~19% engaged).
    tiers = [r.tier for r in submitted]
    outside, engaged = tiers.count("outside") / len(tiers), tiers.count("engaged") / len(tiers)
    assert 0.6 < outside < 0.85 and 0.1 < engaged < 0.3

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already present" in again.output
    assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_seed_demo_is_deterministic(tmp_path):
    outcomes = []
    for name in ("a", "b"):
        app = make_app(f"sqlite:///{tmp_path / name}.sqlite")
        runner = app.test_cli_runner()
        for args in (["init-db"], ["seed-reference"], ["seed-demo", "--firms", "60", "--seed", "11"]):
            assert runner.invoke(args=args).exit_code == 0
        with app.app_context():
            outcomes.append(
                _db.session.execute(
                    select(Enterprise.tax_code, Enterprise.sector_code, Response.answers, Response.tier)
                    .outerjoin(Response)
                    .order_by(Enterprise.tax_code)
                ).all()
            )
            _db.engine.dispose()
    assert outcomes[0] == outcomes[1]


def test_framework_export_prints_the_contract(runner):
    result = runner.invoke(args=["framework", "export", "dbi-2021-sme"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    # The newest version by default: the Decision's instrument.
    assert (data["code"], data["version"]) == ("dbi-2021-sme", 2)
    assert [p["max_points"] for p in data["pillars"]] == [65, 25, 80, 65, 50, 35]
    assert sum(len(p["criteria"]) for p in data["pillars"]) == 60
    assert [lv["level"] for lv in data["levels"]] == [0, 1, 2, 3, 4, 5]
    assert data["band_comparison"] == "above" and data["wording"] == "official"
    assert [k["code"] for p in data["pillars"] for k in p["components"]] == [
        "1.1",
        "1.2",
        "2.1",
        "3.1",
        "3.2",
        "4.1",
        "4.2",
        "5.1",
        "5.2",
        "6.1",
    ]
    assert [k["max_points"] for p in data["pillars"] for k in p["components"]] == [
        45,
        20,
        25,
        10,
        70,
        30,
        35,
        25,
        25,
        35,
    ]
    level = data["pillars"][0]["criteria"][0]
    assert level["kind"] == "level" and level["options"][0] == {
        "code": "no",
        "label": {"vi": "Không", "en": "No"},
        "points": 0,
    }
    assert level["question"]["vi"] == "Doanh nghiệp có trang web riêng không?"
    figure = next(c for c in data["pillars"][0]["criteria"] if c["code"] == "1.1.5")
    assert figure["kind"] == "figure" and figure["base"] == "revenue_3m" and figure["provisional"] is True
    assert figure["bands"][0] == {"above_percent": 0, "points": 1}
    assert {f["code"] for f in data["figures"]} == {"staff_total", "revenue_3m"}
    v1 = json.loads(runner.invoke(args=["framework", "export", "dbi-2021-sme", "--version", "1"]).output)
    assert v1["version"] == 1 and v1["wording"] == "project" and v1["band_comparison"] == "at_least"


def test_framework_export_of_an_unknown_framework_fails(runner):
    result = runner.invoke(args=["framework", "export", "nope"])
    assert result.exit_code != 0 and "no framework file for nope" in result.output


def _answers(fraction: float) -> dict:
    from survey import frameworks

    return factories.answers_at(frameworks.load("dbi-2021-sme", 1), fraction)


def test_score_needs_no_database(tmp_path):
    # A database URL that cannot be reached: score must still work.
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    payload = json.dumps({"framework": "dbi-2021-sme", "version": 1, "answers": _answers(1.0)})
    result = app.test_cli_runner().invoke(args=["score"], input=payload)
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert card["total_points"] == 320 and card["overall_level"] == 5 and card["tier"] == "engaged"
    assert card["pillars"]["strategy"] == {"points": 25, "max_points": 25, "percent": 100.0, "level": 5}


def test_score_version_2_with_components(runner):
    from survey import frameworks

    answers = factories.answers_at(frameworks.load("dbi-2021-sme", 2), 1.0)
    payload = json.dumps({"framework": "dbi-2021-sme", "version": 2, "answers": answers})
    result = runner.invoke(args=["score"], input=payload)
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert card["total_points"] == 320 and card["overall_level"] == 5
    assert card["components"]["3.2"] == {"points": 70, "max_points": 70}


def test_score_reads_a_file_and_arrays_keep_their_order(runner, tmp_path):
    good = {"framework": "dbi-2021-sme", "version": 1, "answers": _answers(0.0)}
    bad = {"framework": "dbi-2021-sme", "version": 1, "answers": {"ZZ99": "x"}}
    path = tmp_path / "in.json"
    path.write_text(json.dumps([good, bad, good]), encoding="utf-8")
    result = runner.invoke(args=["score", str(path)])
    assert result.exit_code == 1
    cards = json.loads(result.stdout)
    assert cards[0]["overall_level"] == 0 and cards[2] == cards[0]
    assert "ZZ99: unknown criterion" in cards[1]["error"]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"framework": "dbi-2021-sme", "version": 1, "answers": {}}', "required but not answered"),
        ('{"framework": "dbi-2021-sme", "version": 9, "answers": {}}', "version 9"),
        ('{"answers": []}', "expected"),
    ],
)
def test_score_rejects_invalid_input_on_stderr(runner, stdin, message):
    result = runner.invoke(args=["score"], input=stdin)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""


def test_create_user_reset_gives_a_new_password_printed_once(runner, db):
    runner.invoke(
        args=["create-user", "demo.admin@example.org", "--role", "admin"], input="a-long-secret-phrase\n"
    )
    result = runner.invoke(args=["create-user", "--reset", "Demo.Admin@example.org"])
    assert result.exit_code == 0, result.output
    password = result.output.split("New password for demo.admin@example.org: ", 1)[1].split()[0]
    assert len(password) >= 12 and result.output.count(password) == 1
    admin = db.session.scalar(select(StaffUser).filter_by(email="demo.admin@example.org"))
    assert admin.check_password(password) and not admin.check_password("a-long-secret-phrase")
    assert admin.must_change_password and admin.role is Role.ADMIN
    actions = db.session.scalars(select(AuditEvent.action).filter_by(object_id=str(admin.id))).all()
    assert "user.password_reset" in actions
    # Each reset draws another password.
    again = runner.invoke(args=["create-user", "demo.admin@example.org", "--reset"])
    assert again.exit_code == 0 and password not in again.output


def test_create_user_reset_refuses_an_unknown_account_and_a_role(runner, db):
    unknown = runner.invoke(args=["create-user", "--reset", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no account for nobody@example.org" in unknown.output
    runner.invoke(args=["create-user", "x@example.org", "--role", "viewer"], input="a-long-secret-phrase\n")
    both = runner.invoke(args=["create-user", "--reset", "x@example.org", "--role", "admin"])
    assert both.exit_code != 0 and "--reset" in both.output
    assert db.session.scalar(select(StaffUser).filter_by(email="x@example.org")).check_password(
        "a-long-secret-phrase"
    )
    no_role = runner.invoke(args=["create-user", "y@example.org"], input="a-long-secret-phrase\n")
    assert no_role.exit_code != 0 and "--role" in no_role.output


def test_make_run_says_how_to_reset_the_demo_password():
    from pathlib import Path

    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "create-user --reset demo.admin@example.org" in run
