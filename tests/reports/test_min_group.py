"""The minimum group size is the configured one everywhere: the CLI's default included."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.exports.helpers import records
from tests.reports.conftest import on_the_test_transaction


def _by_sector(path) -> dict:
    return {row["group"].value: row for row in records(load_workbook(path)["By sector"])}


def test_the_cli_default_is_the_configured_minimum(own_app, db, export_wave, tmp_path):
    # Sector C has 7 counted responses (the rejected one does not count), sector G one.
    strict = own_app(DASHBOARD_MIN_GROUP=8)
    with on_the_test_transaction(strict, db):
        runner = strict.test_cli_runner()
        wave = str(export_wave.wave.id)
        default = tmp_path / "default.xlsx"
        result = runner.invoke(args=["export", "summary", "--wave", wave, "-o", str(default), "--lang", "en"])
        assert result.exit_code == 0, result.output
        given = tmp_path / "given.xlsx"
        result = runner.invoke(
            args=["export", "summary", "--wave", wave, "-o", str(given), "--lang", "en", "--min-group", "5"]
        )
        assert result.exit_code == 0, result.output

    groups = _by_sector(default)
    assert groups["C"]["n"].value == 7
    assert groups["C"]["note"].value == "suppressed (n < 8)"
    assert groups["C"]["engaged_share"].value is None
    overview = load_workbook(default)["Overview"]
    assert overview["A6"].value == "Groups with fewer than 8 counted responses show no shares."

    # The option still overrides the setting.
    groups = _by_sector(given)
    assert groups["C"]["note"].value is None and groups["C"]["engaged_share"].value is not None
    assert groups["G"]["note"].value == "suppressed (n < 5)"


def test_the_cli_help_names_the_setting(runner):
    result = runner.invoke(args=["export", "summary", "--help"])
    assert result.exit_code == 0
    assert "DASHBOARD_MIN_GROUP" in result.output
