"""The rows that belong to one batch of responses, read through their index."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_


def in_batch(column: ColumnElement, ids: list[int]) -> ColumnElement:
    """``column IN ids`` for a batch of response ids, with the batch's range beside it.

    Given the list alone, PostgreSQL's planner reads a table of pillar rows or module pins
    whole for every batch (one batch's rows are a few percent of the table): the export
    becomes quadratic in the wave's size. The range (``BETWEEN`` the lowest and the highest id,
    on the leading column of the table's key) is walked through the index, and the list
    keeps exactly the batch's rows when a filter left gaps in it.
    """
    return and_(column.between(min(ids), max(ids)), column.in_(ids))
