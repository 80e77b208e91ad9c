"""Bounds on what a register upload may make the server unpack and parse.

An .xlsx file is a zip archive of XML parts, and deflate packs repetitive XML up to a
thousand times: a 2 MB upload can unpack to gigabytes, and openpyxl loads some parts
(the shared strings, the styles) whole. So before any parsing the archive's directory is
checked: every part's declared size, the sum of them and each large part's compression
ratio. Python's zipfile never inflates a part beyond its declared size (it stops there and
reports a damaged file), so the declared sizes bound the real work. While the first sheet
is streamed, its rows, columns and cell texts are counted against limits as well, and an
excess is refused, never silently cut off.

The limits come from the ``REGISTER_MAX_*`` settings; ``RegisterLimits()`` holds the
defaults, which fit a register of 100,000 firms with room to spare.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, fields
from typing import BinaryIO

from openpyxl.worksheet import _reader as openpyxl_sheet_reader
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from survey.registry.register_format import RegisterFileError

MB = 1024 * 1024
#: Excel's own sheet size: a row number beyond it is not from a real workbook.
EXCEL_MAX_ROW = 1_048_576
#: Parts smaller than this are not ratio-checked: tiny XML compresses well and harmlessly.
RATIO_FLOOR = 1 * MB


def _dimensions_from_the_head(parser) -> tuple[int, int, int, int] | None:
    """A sheet's ``<dimension>``, looked for only before its data, as the format puts it.

    Replaces openpyxl's ``WorkSheetParser.parse_dimensions``, which openpyxl's streaming
    mode calls for every sheet as the workbook opens. When a sheet has no ``<dimension>``
    (it is optional) that one parses the whole sheet to find out, and keeps an emptied
    element for every row: a million rows cost 80 MB and a full parse before the first row
    is read. Stopping where the data starts gives the same answer for every file.
    """
    for _event, element in iterparse(parser.source, events=("start",)):
        if element.tag == openpyxl_sheet_reader.DIMENSION_TAG:
            return SheetDimension.from_tree(element).boundaries
        if element.tag == openpyxl_sheet_reader.DATA_TAG:
            return None
    return None


openpyxl_sheet_reader.WorkSheetParser.parse_dimensions = _dimensions_from_the_head


def N_(message: str) -> str:
    """Mark a message for translation; it is translated when shown (``translated``)."""
    return message


@dataclass(frozen=True)
class RegisterLimits:
    #: Declared unpacked size of all parts together.
    max_unpacked_bytes: int = 150 * MB
    #: One worksheet part (only the first sheet is parsed, row by row).
    max_sheet_bytes: int = 100 * MB
    #: The shared strings part, which openpyxl loads whole into memory.
    max_shared_strings_bytes: int = 50 * MB
    #: Every other XML part (styles, workbook, relationships…), also loaded whole.
    max_other_part_bytes: int = 10 * MB
    #: Unpacked size over packed size, for parts over RATIO_FLOOR.
    max_ratio: int = 100
    #: Parts in the archive; a workbook has a few dozen.
    max_parts: int = 1000
    #: Non-empty rows after the header.
    max_rows: int = 100_000
    #: Width of a row, up to its last cell (even an empty one that only has formatting).
    max_columns: int = 100
    #: Characters of text in one cell (Excel's own limit).
    max_cell_chars: int = 32_767

    @classmethod
    def from_config(cls, config) -> RegisterLimits:
        """The limits set as ``REGISTER_MAX_<NAME>`` (e.g. REGISTER_MAX_ROWS), else the defaults."""
        given = {f.name: config.get(f"REGISTER_{f.name.upper()}") for f in fields(cls)}
        return cls(**{name: int(value) for name, value in given.items() if value is not None})


class LimitExceeded(RegisterFileError):
    """A register file beyond one of the limits. ``str()`` is English (logs, the CLI);
    ``translated()`` is the message in the current request's language."""


def _mb(size: int) -> int:
    return -(-size // MB)  # rounded up, so "101 MB (at most 100 MB)" never reads "100 (100)"


def check_archive(source: str | os.PathLike | BinaryIO, limits: RegisterLimits) -> None:
    """Refuse an archive whose declared contents exceed ``limits``; nothing is inflated.

    Raises zipfile.BadZipFile when ``source`` is not a zip archive at all, and leaves a
    file object at its start for the parser.
    """
    with zipfile.ZipFile(source) as archive:
        parts = archive.infolist()
    if hasattr(source, "seek"):
        source.seek(0)
    if len(parts) > limits.max_parts:
        raise LimitExceeded(
            N_(
                "The file holds %(count)s parts, more than an Excel workbook has (at most %(limit)s): "
                "it is not a register workbook."
            ),
            count=len(parts),
            limit=limits.max_parts,
        )
    total = 0
    for part in parts:
        name = part.filename
        limit = _part_limit(name, limits)
        if limit is not None and part.file_size > limit:
            raise LimitExceeded(
                N_(
                    "The file unpacks to too much data: its part %(part)s would be %(size)s MB "
                    "(at most %(limit)s MB). Split the register into smaller files."
                ),
                part=name[:100],
                size=_mb(part.file_size),
                limit=_mb(limit),
            )
        if part.file_size > RATIO_FLOOR and part.file_size > limits.max_ratio * max(part.compress_size, 1):
            raise LimitExceeded(
                N_(
                    "The file is packed suspiciously tightly: its part %(part)s unpacks to %(ratio)s "
                    "times its packed size (at most %(limit)s). It is refused as a possible zip bomb; "
                    "save it again from Excel."
                ),
                part=name[:100],
                ratio=part.file_size // max(part.compress_size, 1),
                limit=limits.max_ratio,
            )
        total += part.file_size
    if total > limits.max_unpacked_bytes:
        raise LimitExceeded(
            N_(
                "The file unpacks to too much data: %(size)s MB in all (at most %(limit)s MB). "
                "Split the register into smaller files."
            ),
            size=_mb(total),
            limit=_mb(limits.max_unpacked_bytes),
        )


def _part_limit(name: str, limits: RegisterLimits) -> int | None:
    """The size limit of one part; None for parts openpyxl never parses (images and the like)."""
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return limits.max_sheet_bytes
    if lower == "xl/sharedstrings.xml":
        return limits.max_shared_strings_bytes
    if lower.endswith((".xml", ".rels")):
        return limits.max_other_part_bytes
    return None


def check_row(number: int, row: tuple, limits: RegisterLimits) -> None:
    """Refuse a row (Excel's ``number``) that is too wide or holds too long a text."""
    if number > EXCEL_MAX_ROW:
        raise LimitExceeded(
            N_("The first sheet has a row numbered %(row)s, beyond Excel's last row: the file is damaged."),
            row=number,
        )
    if len(row) > limits.max_columns:
        raise LimitExceeded(
            N_(
                "Row %(row)s of the first sheet has a cell in column %(column)s, perhaps empty but "
                "formatted; a register sheet may use at most %(limit)s columns. Delete the columns "
                "after the last one you use."
            ),
            row=number,
            column=len(row),
            limit=limits.max_columns,
        )
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise LimitExceeded(
                N_(
                    "Row %(row)s, column %(column)s of the first sheet holds %(length)s characters; "
                    "a cell may hold at most %(limit)s."
                ),
                row=number,
                column=column,
                length=len(value),
                limit=limits.max_cell_chars,
            )


def too_many_rows(limits: RegisterLimits) -> LimitExceeded:
    return LimitExceeded(
        N_(
            "The first sheet has more than %(limit)s rows of data. Split the register into files of "
            "at most %(limit)s rows each."
        ),
        limit=limits.max_rows,
    )
