"""The city's local time (Hải Phòng, UTC+7): people read and type times in it; the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def to_utc(local_naive: datetime) -> datetime:
    return local_naive.replace(tzinfo=LOCAL).astimezone(UTC)


def to_local_naive(value: datetime) -> datetime:
    return value.astimezone(LOCAL).replace(tzinfo=None)
