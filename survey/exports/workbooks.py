"""The workbook layer of the exports: plain rows in, an .xlsx file out. No Flask, no database.

``write_responses_workbook`` (survey.exports.responses_workbook) streams one row per
response with XlsxWriter's constant-memory mode, so its memory does not depend on the
number of rows; ``write_summary_workbook`` (survey.exports.summary_workbook) is small and
uses a normal openpyxl workbook, for its native charts. The summary's module is imported
when first asked for (a module ``__getattr__``), so a process that only writes responses
never loads openpyxl.
"""

from survey.exports.responses_workbook import (
    LOCAL,
    response_columns,
    score_columns,
    write_responses_workbook,
)


def __getattr__(name: str):
    if name == "write_summary_workbook":
        from survey.exports.summary_workbook import write_summary_workbook

        globals()[name] = write_summary_workbook
        return write_summary_workbook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LOCAL",
    "response_columns",
    "score_columns",
    "write_responses_workbook",
    "write_summary_workbook",  # noqa: F822 (given by __getattr__, on first use)
]
