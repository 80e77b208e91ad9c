"""Run every benchmark: ``python -m bench [--n N] [--db sqlite|postgres|both]``.

Absolute times on a shared 2-core machine are noise; each figure is printed as a
ratio to a baseline measured in the same process, best of several repeats.
"""

from __future__ import annotations

import argparse

from bench import rollup_bench, scoring_bench, submit_bench


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--n", type=int, default=100_000, help="responses in the rollup wave")
    parser.add_argument("--score-n", type=int, default=100_000, help="answer sets to score")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--only", choices=["scoring", "rollup", "submit"], action="append", help="run only these (repeatable)"
    )
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test", help="server to use"
    )
    args = parser.parse_args()
    only = set(args.only or ["scoring", "rollup", "submit"])
    ok = scoring_bench.run(args.score_n) if "scoring" in only else True
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for backend in backends:
        if "rollup" in only:
            ok &= rollup_bench.run(backend, args.n, args.pg_url)
        if "submit" in only:
            ok &= submit_bench.run(backend, args.pg_url)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED (see above)")


if __name__ == "__main__":
    main()
