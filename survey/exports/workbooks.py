"""The workbook layer of the exports: plain rows in, an .xlsx file out. No Flask, no database.

``write_responses_workbook`` (survey.exports.responses_workbook) streams one row per
response with openpyxl's write-only mode, so its memory does not depend on the number
of rows; ``write_summary_workbook`` (survey.exports.summary_workbook) is small and uses
a normal workbook, for its native charts.
"""

from survey.exports.responses_workbook import (
    LOCAL,
    response_columns,
    score_columns,
    write_responses_workbook,
)
from survey.exports.summary_workbook import write_summary_workbook

__all__ = [
    "LOCAL",
    "response_columns",
    "score_columns",
    "write_responses_workbook",
    "write_summary_workbook",
]
