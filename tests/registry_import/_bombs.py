"""Hostile register workbooks, built in small pieces so that the tests themselves stay small.

A part is written to the archive chunk by chunk (deflate packs the repetitive XML to a
fraction of a percent), and ``declare`` rewrites the size an archive claims for a part.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from io import BytesIO

from survey.registry.importer import COLUMNS
from tests.registry_import._support import row, workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def xlsx_with(parts: dict[str, bytes | Iterable[bytes]]) -> BytesIO:
    """A good one-row register workbook with ``parts`` replaced or added."""
    base = workbook([row()]).getvalue()
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for name, content in parts.items():
            with target.open(name, "w") as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    out.seek(0)
    return out


def with_shared_strings(strings: Iterable[bytes]) -> BytesIO:
    """A workbook that also has a shared strings part (listed, so openpyxl would load it)."""
    base = workbook([row()]).getvalue()
    with zipfile.ZipFile(BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>", f'<Override PartName="/{SHARED_STRINGS}" ContentType="{SHARED_STRINGS_TYPE}"/></Types>'
    )

    def part() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}">'.encode()
        yield from strings
        yield b"</sst>"

    return xlsx_with({"[Content_Types].xml": types.encode(), SHARED_STRINGS: part()})


def sheet(rows: Iterable[str], header: bool = True) -> Iterator[bytes]:
    """A worksheet part: the register header on row 1, then ``rows`` (``<row>`` elements)."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    if header:
        cells = "".join(f'<c t="inlineStr"><is><t>{column}</t></is></c>' for column in COLUMNS)
        yield f'<row r="1">{cells}</row>'.encode()
    batch: list[str] = []
    for line in rows:
        batch.append(line)
        if len(batch) == 2000:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode()
    yield b"</sheetData></worksheet>"


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def declare(archive: BytesIO, name: str, size: int) -> BytesIO:
    """The same archive, claiming that part ``name`` unpacks to ``size`` bytes."""
    data = bytearray(archive.getvalue())
    encoded = name.encode()
    # (signature, offset of the uncompressed size, offset of the name length, header length)
    headers = ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30))
    for signature, size_at, name_length_at, fixed in headers:
        start = data.find(signature)
        while start != -1:
            length = int.from_bytes(data[start + name_length_at : start + name_length_at + 2], "little")
            if data[start + fixed : start + fixed + length] == encoded:
                data[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")
            start = data.find(signature, start + 4)
    return BytesIO(bytes(data))
