"""Instruments as workbooks: frameworks and modules written to and read from XLSForm.

A department types a new national instrument into a spreadsheet that follows the XLSForm
conventions survey officers know from KoboToolbox and ODK; the app reads it back into the
same definition a packaged YAML file holds, with every problem named by sheet, row and
column. See ``xlsform`` for the mapping, ``reading`` for the checks.

    data = export_packaged("dbi-2021-sme", 2)     # .xlsx bytes
    imported = read_workbook(data)                # Imported(kind, definition, content_hash, …)
"""

from __future__ import annotations

from survey.instruments.errors import ExportError, Problem, WorkbookInvalid
from survey.instruments.layout import FRAMEWORK, MODULE
from survey.instruments.reading import Imported, read_workbook
from survey.instruments.xlsform import workbook_bytes

__all__ = [
    "FRAMEWORK",
    "MODULE",
    "ExportError",
    "Imported",
    "NotPackaged",
    "Problem",
    "WorkbookInvalid",
    "export_packaged",
    "packaged",
    "read_workbook",
    "workbook_bytes",
]


class NotPackaged(LookupError):
    """No packaged framework or module has that code (and version)."""


def packaged(code: str, version: int | None = None) -> tuple[str, dict]:
    """(kind, raw definition) of the packaged framework or module ``code`` at ``version``
    (default: its newest), as its YAML file holds it."""
    from survey import frameworks, modules
    from survey.modules import load_file as module_file
    from survey.scoring.definition import load_file as framework_file

    for kind, files, load in (
        (FRAMEWORK, frameworks.files, framework_file),
        (MODULE, modules.files, module_file),
    ):
        found = [(v, p) for c, v, p in files() if c == code and (version is None or v == version)]
        if found:
            _, path = max(found)
            return kind, load(path)[1]
    which = code if version is None else f"{code} version {version}"
    raise NotPackaged(f"no framework or module file for {which}")


def export_packaged(code: str, version: int | None = None) -> bytes:
    """The .xlsx workbook of a packaged framework or module version (default: its newest)."""
    kind, definition = packaged(code, version)
    return workbook_bytes(kind, definition)
