"""Paging through 10,000 responses: every one once, in order, in memory that does not grow.

The wave is bulk-inserted (bench.data, Core inserts). Each page is streamed and thrown
away as it arrives, so what tracemalloc sees at its peak is the server's side: the batch
being read and the row being written. The numbers are printed (``-s`` shows them).
"""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest

from bench.data import load_wave
from tests import factories

ROWS = 10_000
ID = re.compile(r'"response_id":(\d+)')
NEXT = re.compile(r'"next_after":(\d+|null)\}$')


class Seen:
    """What the pages held, kept small (a list of 10,000 ids would grow in the measurement):
    how many ids, that each is above the one before, and a sample of them."""

    def __init__(self, sample: range):
        self.count, self.last, self.sample, self.kept = 0, 0, sample, []

    def add(self, response_id: int) -> None:
        assert response_id > self.last, "out of order or repeated"
        if self.count in self.sample:
            self.kept.append(response_id)
        self.count, self.last = self.count + 1, response_id


def _stream(client, headers, url: str, seen: Seen) -> tuple[str, int]:
    """Read the page chunk by chunk, throwing each away: its next_after and its size."""
    answer = client.get(url, headers=headers, buffered=False)
    assert answer.status_code == 200
    tail, size = "", 0
    for chunk in answer.response:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        size += len(text)
        for found in ID.finditer(text):
            seen.add(int(found.group(1)))
        tail = (tail + text)[-100:]
    answer.close()
    return NEXT.search(tail).group(1), size


@pytest.fixture
def big_wave(db):
    started = time.perf_counter()
    wave = load_wave(factories.framework_version(1), ROWS, chunk=2500)
    print(f"\n{ROWS} responses bulk-inserted in {time.perf_counter() - started:.1f} s")
    return wave


def test_ten_thousand_responses_page_through_in_flat_memory(client, db, analyst, big_wave):
    seen = Seen(range(5000, 5101))
    peaks: dict[int, int] = {}
    after, number = "0", 0
    url = f"/api/v1/waves/{big_wave.id}/responses"
    started = time.perf_counter()
    while after != "null":
        number += 1
        # Measured on the second (the first also fills the statement and framework caches),
        # a middle and the last page; tracing every page is slow.
        traced = number in (2, 5, 10)
        if traced:
            tracemalloc.start()
        try:
            after, size = _stream(client, analyst, f"{url}?limit=1000&after={after}", seen)
            if traced:
                peaks[number] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    small = Seen(range(100))
    tracemalloc.start()
    try:
        _stream(client, analyst, f"{url}?limit=100&after={seen.kept[0]}", small)
        small_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert seen.count == ROWS
    assert small.kept == seen.kept[1:]
    mib = {n: round(p / 2**20, 2) for n, p in peaks.items()}
    print(
        f"pages of 1000 (by page): peak {mib} MiB; a page of 100: {small_peak / 2**20:.2f} MiB; "
        f"{number} pages in {elapsed:.1f} s; the last page {size / 2**20:.1f} MiB of JSON"
    )
    # Constant: the last page costs what the first does, and ten times the rows is not ten
    # times the memory (the page is written as it is read).
    assert number == 10 and max(peaks.values()) < 1.5 * min(peaks.values())
    assert max(peaks.values()) < 3 * small_peak
