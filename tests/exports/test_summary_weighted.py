"""The summary workbook's honest group figures: each breakdown group's population estimate
(post-stratified inside the group) with its interval and the firms it stands for, the
respondents' share beside it, the group's register, coverage and effective n; suppressed
groups blank; the units' model-based estimates in rows of their own, labelled, only where
survey.statistics.small_area.shown allows and never beside a direct figure."""

from __future__ import annotations

import math
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from survey.exports import workbooks
from survey.exports.summary import write_summary
from survey.exports.summary_workbook import BREAKDOWN_SHEETS
from survey.models.size_class import BILLION
from survey.scoring.stats import Z95
from survey.statistics.rollup import DEFAULT_STRATA, rollup
from tests import factories
from tests.exports.conftest import ENGAGED, FRAMEWORK, OUTSIDE
from tests.exports.helpers import header, records

MIN_GROUP = 3
MIN_REGISTER = 5
TIERS = ("engaged", "preparing", "outside")


def _firm(unit: str, sector: str, employees: int, revenue: int):
    return factories.enterprise(
        unit_id=factories.unit(unit).id,
        sector_code=sector,
        employees=employees,
        revenue_vnd=revenue,
        capital_vnd=None,
    )


@pytest.fixture
def honest_wave(db):
    """Sector C, all in unit 11311: 8 small firms (2 answer, both engaged) and 8 micro firms
    (4 answer, 1 engaged): the small ones answer more often, so the respondents' share
    (3 of 6) understates the sector's, which weighted is (8 × 1 + 8 × 1/4) / 16 = 0.625.

    Sector G: unit 11329 has 6 micro trade firms, 1 answers (engaged); unit 11383 has 2, one
    answers (outside). Sector G (2 respondents) and both units are below MIN_GROUP; 11329 has
    MIN_REGISTER firms or more (a model-based figure), 11383 too few (none)."""
    wave = factories.wave(name="Trung thực 2025")
    small = [_firm("11311", "C", 20, 5 * BILLION) for _ in range(8)]
    micro = [_firm("11311", "C", 5, BILLION) for _ in range(8)]
    for firm in small[:2]:
        factories.response(wave, firm, ENGAGED)
    for i, firm in enumerate(micro[:4]):
        factories.response(wave, firm, ENGAGED if i == 0 else OUTSIDE)
    quiet = [_firm("11329", "G", 5, BILLION) for _ in range(6)]
    factories.response(wave, quiet[0], ENGAGED)
    tiny = [_firm("11383", "G", 5, BILLION) for _ in range(2)]
    factories.response(wave, tiny[0], OUTSIDE)
    db.session.flush()
    return wave


def _book(db, wave, lang="en", labels="codes"):
    overall = rollup(db.session, wave)
    by = {
        "sector": rollup(db.session, wave, by="sector"),
        "unit": rollup(db.session, wave, by="unit", model_rule=(MIN_GROUP, MIN_REGISTER)),
    }
    buffer = BytesIO()
    workbooks.write_summary_workbook(
        buffer,
        by,
        overall,
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters={},
        reference=overall["reference"],
        min_group=MIN_GROUP,
        lang=lang,
        framework=FRAMEWORK,
        labels=labels,
    )
    buffer.seek(0)
    return load_workbook(buffer), by


def _wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval of a share p at a (fractional) sample size n, written out."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_the_sector_sheet_gives_the_weighted_figures_worked_out_by_hand(db, honest_wave):
    book, by = _book(db, honest_wave)
    rows = {r["group"].value: r for r in records(book["By sector"])}
    c = rows["C"]
    # By hand: small 8 firms / 2 respondents (weight 4), micro 8 / 4 (weight 2).
    effective_n = 16**2 / (8**2 / 2 + 8**2 / 4)  # Kish: 256 / 48
    assert c["register"].value == 16
    assert c["coverage"].value == pytest.approx(1.0)
    assert c["effective_n"].value == pytest.approx(effective_n, abs=0.01)
    assert c["method"].value == "direct"
    for tier, share, respondents in (
        ("engaged", 0.625, 3 / 6),
        ("preparing", 0.0, 0.0),
        ("outside", 0.375, 0.5),
    ):
        low, high = _wilson(share, effective_n)
        assert c[f"{tier}_weighted"].value == pytest.approx(share)
        assert c[f"{tier}_weighted_ci_low"].value == pytest.approx(max(low, 0.0), abs=1e-9)
        assert c[f"{tier}_weighted_ci_high"].value == pytest.approx(high)
        assert c[f"{tier}_firms"].value == pytest.approx(share * 16)
        assert c[f"{tier}_firms_low"].value == pytest.approx(max(low, 0.0) * 16, abs=1e-6)
        assert c[f"{tier}_firms_high"].value == pytest.approx(high * 16)
        # The respondents' own share stays beside it, as before.
        assert c[f"{tier}_share"].value == pytest.approx(respondents)
        assert c[f"{tier}_weighted"].number_format.endswith("%")
        assert c[f"{tier}_firms"].number_format == "#,##0"
    assert c["engaged_count"].value == 3
    # And every figure is the rollup's own (one code path).
    weighted = next(g for g in by["sector"]["groups"] if g["key"] == "C")["weighted"]
    for tier in TIERS:
        for name, column in (
            ("estimate", "weighted"),
            ("ci_low", "weighted_ci_low"),
            ("firms_high", "firms_high"),
        ):
            assert c[f"{tier}_{column}"].value == pytest.approx(weighted["tiers"][tier][name])


def test_a_suppressed_group_stays_blank(db, honest_wave):
    book, _ = _book(db, honest_wave)
    g = {r["group"].value: r for r in records(book["By sector"])}["G"]
    assert g["n"].value == 2 and "suppressed" in g["note"].value
    blank = [name for name in header(book["By sector"]) if name not in ("group", "label", "n", "note")]
    assert {"engaged_weighted", "engaged_firms", "register", "coverage", "effective_n", "method"} <= set(
        blank
    )
    assert all(g[name].value is None for name in blank)


def test_model_based_unit_rows_only_where_allowed_and_labelled(db, honest_wave):
    book, by = _book(db, honest_wave)
    sheet = book["By unit"]
    rows = records(sheet)
    methods = [(r["group"].value, r["method"].value) for r in rows]
    # 11311 has its direct figure; 11329 is suppressed and then model-based, in a row of
    # its own right after; 11383 has too few firms in the register for any.
    assert methods == [("11311", "direct"), ("11329", None), ("11329", "model-based"), ("11383", None)]
    (expected,) = by["unit"]["model_based"]
    model = rows[2]
    assert expected["key"] == "11329" and model["register"].value == expected["register"] == 6
    assert model["n"].value == 1
    assert "Model-based estimate, not a direct figure" in model["note"].value
    for tier in TIERS:
        figure = expected["tiers"][tier]
        assert model[f"{tier}_weighted"].value == pytest.approx(figure["estimate"])
        assert model[f"{tier}_weighted_ci_low"].value == pytest.approx(figure["ci_low"])
        assert model[f"{tier}_weighted_ci_high"].value == pytest.approx(figure["ci_high"])
        assert model[f"{tier}_firms"].value == pytest.approx(figure["estimate"] * 6)
        # No respondents' share for it: its one respondent is below the minimum.
        assert model[f"{tier}_share"].value is None and model[f"{tier}_count"].value is None
    assert model["coverage"].value is None and model["effective_n"].value is None
    assert all(cell.font.i for cell in sheet[4])  # visibly distinct: in italics
    assert not any(cell.font.i for cell in sheet[2])
    # The unit's own row stays suppressed.
    assert rows[1]["engaged_weighted"].value is None and "suppressed" in rows[1]["note"].value


def test_model_based_rows_never_beside_a_direct_figure(db, honest_wave):
    """Even if the rule were given another minimum: a unit with a direct figure has no
    model-based row."""
    overall = rollup(db.session, honest_wave)
    unit = rollup(db.session, honest_wave, by="unit", model_rule=(50, 1))
    assert {m["key"] for m in unit["model_based"]} >= {"11311"}
    buffer = BytesIO()
    workbooks.write_summary_workbook(
        buffer,
        {"unit": unit},
        overall,
        wave_info={"id": honest_wave.id, "name": honest_wave.name, "year": honest_wave.year},
        filters={},
        reference=[],
        min_group=MIN_GROUP,
        lang="en",
        framework=FRAMEWORK,
    )
    buffer.seek(0)
    rows = records(load_workbook(buffer)["By unit"])
    assert [r["method"].value for r in rows if r["group"].value == "11311"] == ["direct"]
    assert ("11383", "model-based") in [(r["group"].value, r["method"].value) for r in rows]


@pytest.mark.parametrize(
    ("lang", "estimate", "respondents", "model", "direct"),
    [
        (
            "vi",
            "Ước lượng có trọng số",
            "Tỷ lệ trong số doanh nghiệp trả lời",
            "Ước tính theo mô hình",
            "Ước tính trực tiếp",
        ),
        ("en", "Weighted estimate", "Respondents' share", "Model-based estimate", "Direct estimate"),
    ],
)
def test_in_words_the_columns_and_the_method_say_what_they_are(
    app, db, honest_wave, lang, estimate, respondents, model, direct
):
    with app.test_request_context():
        book, by = _book(db, honest_wave, lang=lang, labels="labels")
        sheet = book[str(_in(lang, BREAKDOWN_SHEETS["unit"]))]
    columns = header(sheet)
    tier = FRAMEWORK.tier("engaged").name.get(lang)
    assert columns[4] == f"{tier}: {estimate}"
    assert f"{tier}: {respondents}" in columns
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    method = len(columns) - 1  # the last column: the method of the estimate
    assert [v[method] for v in values] == [direct, None, model, None]
    assert values[2][0] == "11329" and values[2][4] == pytest.approx(
        by["unit"]["model_based"][0]["tiers"]["engaged"]["estimate"]
    )


def _in(lang, lazy):
    with force_locale(lang):
        return str(lazy)


def test_write_summary_gives_the_units_model_based_figures_under_the_app_rule(
    app, db, honest_wave, monkeypatch
):
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", MIN_REGISTER)
    buffer = BytesIO()
    write_summary(buffer, db.session, honest_wave, {}, lang="en", min_group=MIN_GROUP, strata=DEFAULT_STRATA)
    buffer.seek(0)
    rows = records(load_workbook(buffer)["By unit"])
    assert [(r["group"].value, r["method"].value) for r in rows if r["method"].value == "model-based"] == [
        ("11329", "model-based")
    ]
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", 7)  # 11329 has 6 firms: now none
    buffer = BytesIO()
    write_summary(buffer, db.session, honest_wave, {}, lang="en", min_group=MIN_GROUP, strata=DEFAULT_STRATA)
    buffer.seek(0)
    assert all(r["method"].value != "model-based" for r in records(load_workbook(buffer)["By unit"]))
