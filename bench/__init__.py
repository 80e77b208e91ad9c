"""Benchmarks: ``make bench`` (``python -m bench``). Ratios against baselines run in the same process."""
