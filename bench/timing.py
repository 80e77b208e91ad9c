"""Best-of-k timing, interleaved so that both sides of a ratio see the same machine load."""

from __future__ import annotations

import time


def best(fn, repeat: int = 5) -> float:
    return min(_once(fn) for _ in range(repeat))


def ratio(ours, baseline, repeat: int = 7) -> float:
    """min(ours) / min(baseline), alternating the two on every repeat."""
    a, b = [], []
    for _ in range(repeat):
        b.append(_once(baseline))
        a.append(_once(ours))
    return min(a) / min(b)


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
