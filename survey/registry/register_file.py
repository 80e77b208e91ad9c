"""Reading a register workbook's first sheet fast, with python-calamine (a Rust reader).

calamine parses a sheet many times faster than openpyxl's streaming mode, but it loads the
sheet whole into a grid as wide and as tall as its farthest cell, and it reads a few kinds
of cell otherwise than openpyxl. So before calamine is asked, ``fast_rows`` scans the
sheet's XML as it unpacks (plain byte searches, no parsing) and hands the file back to
openpyxl's streaming reader (``None``) whenever the fast read could cost more memory or
come out different:

- a row or a cell beyond ``2 × max_rows`` or ``max_columns``, or a grid of more than
  ``CELL_BUDGET`` cells (openpyxl streams them, and refuses them with its exact messages);
- a cell or row whose position is not written as ``r="B12"`` first (calamine and openpyxl
  would place it alike, but the scan could not bound it);
- error cells (``#N/A``: calamine reads them as empty, openpyxl as their text), ISO date
  cells (``t="d"``) and ``_x000D_``-style escapes in texts (calamine decodes them,
  openpyxl keeps them as typed);
- anything the scan does not recognise (namespace prefixes, no workbook part...).

The archive itself has been checked before (register_limits.check_archive), so the scan
never unpacks more than the sizes it declares. What calamine gives is turned into what
openpyxl gives: empty cells are None, whole numbers are int, dates are datetimes at
midnight; cell texts are held to ``max_cell_chars`` with the same message.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator

from openpyxl.xml.functions import fromstring  # the parser openpyxl reads these parts with
from python_calamine import CalamineWorkbook, SheetTypeEnum

from survey.registry.register_limits import N_, LimitExceeded, RegisterLimits

#: Cells calamine may hold as its grid (about 32 bytes each): 100,000 rows of 26 columns.
CELL_BUDGET = 2_600_000
#: Whole numbers below this come out as int, as openpyxl reads a number written without
#: a decimal point or an exponent (which Excel and openpyxl write for them).
WHOLE_BELOW = 1e15

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]+)"')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
#: Error and ISO date cells, and row numbers written with a leading zero.
_ODD = re.compile(rb' t="[ed]"| r="[A-Z]{0,3}0')
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
#: Elements written with a namespace prefix, which the scan does not count.
_PREFIXED = re.compile(rb":(?:c r=|c>|row |row>|sheetData)")
#: A cell or a row whose position is not written first, as r="B12" (or not at all): the
#: scan could not bound it. (One search each, rather than counting the tags.)
_UNPLACED_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]+")[\s/>]')
_UNPLACED_ROW = re.compile(rb'<row(?! r="[0-9]+")[\s/>]')
CHUNK = 1 << 20


def open_workbook(source):
    """calamine's workbook of ``source`` (a path or a binary file); tests replace it."""
    if hasattr(source, "read"):
        source.seek(0)
        return CalamineWorkbook.from_filelike(source)
    return CalamineWorkbook.from_path(source)


def fast_rows(source, limits: RegisterLimits) -> tuple[str, Iterator[tuple]] | None:
    """(the first sheet's title, its rows as openpyxl would give them), or None when the
    file is for openpyxl's streaming reader (see the module's docstring)."""
    try:
        title = _scan(source, limits)
        if title is None:
            return None
        workbook = open_workbook(source)
    except Exception:  # whatever the fast path trips on, openpyxl decides
        return None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    try:
        sheets = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if not sheets or sheets[0] != title:
            workbook.close()
            return None
        sheet = workbook.get_sheet_by_name(title)
    except Exception:
        workbook.close()
        return None
    return title, _rows(workbook, sheet, limits)


def _rows(workbook, sheet, limits: RegisterLimits) -> Iterator[tuple]:
    """The sheet's rows from row 1, each from column A (None where empty)."""
    try:
        start = sheet.start
        if start is None:
            return
        pad = (None,) * start[1]
        longest = limits.max_cell_chars
        date, datetime, floats, strs = dt.date, dt.datetime, float, str
        # python-calamine's rows start at row 1 (the empty rows above the data included)
        # and at the first column that holds something.
        for number, raw in enumerate(sheet.iter_rows(), start=1):
            row = list(pad)
            append = row.append
            for value in raw:
                kind = type(value)
                if kind is strs:
                    if not value:
                        value = None
                    elif len(value) > longest:
                        raise _too_long(number, len(row) + 1, len(value), longest)
                elif kind is floats:
                    if value.is_integer() and -WHOLE_BELOW < value < WHOLE_BELOW:
                        value = int(value)
                elif kind is date:
                    value = datetime(value.year, value.month, value.day)
                append(value)
            yield tuple(row)
    finally:
        workbook.close()


def _too_long(row: int, column: int, length: int, limit: int) -> LimitExceeded:
    # The words of register_limits.check_row, so both readers refuse alike.
    return LimitExceeded(
        N_(
            "Row %(row)s, column %(column)s of the first sheet holds %(length)s characters; "
            "a cell may hold at most %(limit)s."
        ),
        row=row,
        column=column,
        length=length,
        limit=limit,
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    """(title, part name) of the workbook's first worksheet, as openpyxl finds it."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    root_rels = fromstring(archive.read("_rels/.rels")) if "_rels/.rels" in names else None
    if root_rels is not None:
        targets = [
            rel.get("Target", "").lstrip("/")
            for rel in root_rels.iter(f"{{{_PACKAGE_REL}}}Relationship")
            if rel.get("Type", "").endswith("/officeDocument")
        ]
        if targets != ["xl/workbook.xml"]:
            return None
    rels = {
        rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(
            f"{{{_PACKAGE_REL}}}Relationship"
        )
    }
    book = fromstring(archive.read("xl/workbook.xml"))
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        kind, target = rels.get(sheet.get(f"{{{_REL}}}id"), ("", ""))
        if kind.endswith("/worksheet"):
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            return (sheet.get("name"), part) if part in names else None
        if not kind.endswith("/chartsheet"):
            return None
    return None


def _scan(source, limits: RegisterLimits) -> str | None:
    """The first sheet's title when calamine may read the file, else None."""
    row_cap = 2 * (limits.max_rows + 1)
    with zipfile.ZipFile(source) as archive:
        found = _first_sheet(archive)
        if found is None:
            return None
        title, part = found
        for name in archive.namelist():
            if name.lower().endswith("sharedstrings.xml"):
                with archive.open(name) as strings:
                    if not _plain_texts(strings):
                        return None
        max_row = max_column = 0
        with archive.open(part) as stream:
            for piece in _pieces(stream):
                if _odd(piece) or _UNPLACED_CELL.search(piece) or _UNPLACED_ROW.search(piece):
                    return None
                cell_rows = _CELL_ROW.findall(piece)
                row_numbers = _ROW_NUMBER.findall(piece)
                for numbers in (cell_rows, row_numbers):
                    if numbers:
                        max_row = max(max_row, _largest(numbers))
                        if max_row > row_cap:
                            return None
                for letters in _WIDE_COLUMN.findall(piece):
                    max_column = max(max_column, _column_number(letters))
                if max_column > limits.max_columns:
                    return None
    # calamine's grid spans the farthest cell; its first column is the first one used,
    # which the scan does not look for (A is assumed).
    if max_row * max(max_column, 26) > CELL_BUDGET:
        return None
    return title


def _largest(numbers: list[bytes]) -> int:
    """The largest of row numbers written in digits (equally long ones compare as bytes)."""
    lengths = set(map(len, numbers))
    if len(lengths) > 1:
        longest = max(lengths)
        numbers = [n for n in numbers if len(n) == longest]
    return int(max(numbers))


def _pieces(stream) -> Iterator[bytes]:
    """The part's bytes in pieces cut just after a '>', so no tag is split between two."""
    rest = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            if rest:
                yield rest
            return
        data = rest + chunk
        cut = data.rfind(b">") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]


def _plain_texts(stream) -> bool:
    """No ``_xHHHH_`` escape in a shared strings part (calamine decodes them, openpyxl not)."""
    return not any(b"_x" in piece and _ESCAPE.search(piece) for piece in _pieces(stream))


def _odd(piece: bytes) -> bool:
    """Whether a piece of the sheet holds something the fast path leaves to openpyxl."""
    if _ODD.search(piece) or _PREFIXED.search(piece):
        return True
    return b"_x" in piece and _ESCAPE.search(piece) is not None
