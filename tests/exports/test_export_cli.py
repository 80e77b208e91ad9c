"""``flask export responses|summary``: files written, bad input refused clearly."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.exports.helpers import header


def test_responses_command_writes_the_workbook(runner, export_wave, tmp_path):
    path = tmp_path / "responses.xlsx"
    result = runner.invoke(args=["export", "responses", "--wave", export_wave.wave.name, "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote 10 responses of wave {export_wave.wave.name!r} (with contacts) to {path}" in result.output
    workbook = load_workbook(path)
    assert workbook["Responses"].max_row == 11
    assert "contact_email" in header(workbook["Responses"])
    assert list(tmp_path.iterdir()) == [path]


def test_responses_command_with_filters_labels_and_no_contacts(runner, export_wave, tmp_path):
    path = tmp_path / "c.xlsx"
    args = ["export", "responses", "--wave", str(export_wave.wave.id), "-o", str(path)]
    args += ["--sector", "C", "--unit", "11311", "--pillar", "high_tech_industry", "--size", "small"]
    args += ["--ownership", "private", "--area", "Quận Hồng Bàng", "--no-contacts"]
    args += ["--labels", "labels", "--lang", "en"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Wrote 9 responses" in result.output and "without contacts" in result.output
    workbook = load_workbook(path)
    # In words, in English: the sheets and headers too.
    assert workbook.sheetnames == ["Responses", "Scores", "Codebook", "About"]
    columns = header(workbook["Responses"])
    assert "Contact person" not in columns and "Contact e-mail" not in columns
    assert columns[columns.index("Ownership") + 1] == "Ownership (code)"
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows(min_row=2)}
    assert about["Filter: Former district-level area"] == "Quận Hồng Bàng"
    assert about["Filter: Size class"] == "Small enterprise"
    assert about["Answers shown as"].startswith("Words, in English")


def test_summary_command_writes_the_workbook(runner, export_wave, tmp_path):
    path = tmp_path / "summary.xlsx"
    result = runner.invoke(
        args=["export", "summary", "--wave", str(export_wave.wave.id), "-o", str(path), "--min-group", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "8 counted responses" in result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == "Overview" and "By sector" in workbook.sheetnames
    assert len(workbook["Overview"]._charts) == 3


def test_summary_skips_the_breakdown_a_filter_fixes(runner, export_wave, tmp_path):
    path = tmp_path / "summary.xlsx"
    result = runner.invoke(
        args=["export", "summary", "--wave", str(export_wave.wave.id), "-o", str(path), "--sector", "C"]
    )
    assert result.exit_code == 0, result.output
    assert "By sector" not in load_workbook(path).sheetnames


@pytest.mark.parametrize("command", ["responses", "summary"])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--wave", "no such wave"], "No wave with id or name 'no such wave'"),
        (["--wave", "99999"], "No wave with id or name '99999'"),
        (["--sector", "Z"], "Unknown sector 'Z'"),
        (["--unit", "99999"], "Unknown unit code '99999'"),
        (["--area", "Quận Không Có"], "Unknown former area 'Quận Không Có'"),
        (["--size", "huge"], "'huge' is not one of"),
        (["--pillar", "mining"], "'mining' is not one of"),
        (["--ownership", "alien"], "'alien' is not one of"),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(runner, export_wave, tmp_path, command, options, message):
    path = tmp_path / "out.xlsx"
    args = ["export", command, "-o", str(path)]
    if options[0] != "--wave":
        args += ["--wave", str(export_wave.wave.id)]
    result = runner.invoke(args=args + options)
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_fails_clearly(runner, export_wave, tmp_path):
    path = tmp_path / "nowhere" / "out.xlsx"
    result = runner.invoke(args=["export", "responses", "--wave", str(export_wave.wave.id), "-o", str(path)])
    assert result.exit_code != 0
    assert "does not exist" in result.output
