"""Exports of a wave to Excel: query → rows (``rows``), rows → workbook (``workbooks``), CLI (``cli``).

The query layer streams plain rows in keyset-paginated batches; the workbook layer is
pure (no Flask, no database) and writes with openpyxl's write-only mode, so memory
stays flat however many responses a wave has.
"""
