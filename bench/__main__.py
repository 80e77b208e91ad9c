"""Run every benchmark: ``python -m bench [--n N] [--db sqlite|postgres|both] [--only NAME]``.

Absolute times on a shared 2-core machine are noise; each figure is printed as a
ratio to a baseline measured in the same process, best of several repeats.
"""

from __future__ import annotations

import argparse

from bench import dashboard_bench, deadline_bench, export_job_bench, rollup_bench, scoring_bench, submit_bench

PER_BACKEND = {
    "rollup": lambda backend, args: rollup_bench.run(backend, args.n, args.pg_url),
    "submit": lambda backend, args: submit_bench.run(backend, args.pg_url),
    "dashboard": lambda backend, args: dashboard_bench.run(backend, args.n, args.pg_url),
    "export": lambda backend, args: _export(backend, args),
    "export-job": lambda backend, args: export_job_bench.run(backend, args.n, args.pg_url),
    "deadline": lambda backend, args: deadline_bench.run(
        backend, args.pg_url, args.respondents, args.concurrency
    ),
    "rescore": lambda backend, args: _rescore(backend, args),
}


def _rescore(backend, args) -> bool:
    from bench import rescore_bench

    return rescore_bench.run(backend, min(args.n, 50_000), args.pg_url)


def _export(backend, args) -> bool:
    from bench import export_bench

    return export_bench.run(backend, args.n, args.pg_url)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--n", type=int, default=100_000, help="responses in the benchmark wave")
    parser.add_argument("--score-n", type=int, default=100_000, help="answer sets to score")
    parser.add_argument("--respondents", type=int, default=2000, help="simulated respondents (deadline)")
    parser.add_argument("--concurrency", type=int, default=64, help="respondents at once (deadline)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--honest-runs", type=int, default=400, help="synthetic registers (honest)")
    parser.add_argument(
        "--only",
        choices=["scoring", "honest", "register", *PER_BACKEND],
        action="append",
        help="run only these (repeatable)",
    )
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test", help="server to use"
    )
    args = parser.parse_args()
    only = set(args.only or ["scoring", "honest", "register", *PER_BACKEND])
    ok = scoring_bench.run(args.score_n) if "scoring" in only else True
    if "honest" in only:
        from bench import honest

        ok &= honest.report(args.honest_runs)
    if "register" in only:
        from bench import register_bench

        ok &= register_bench.run(50_000)
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for backend in backends:
        for name, bench in PER_BACKEND.items():
            if name in only:
                ok &= bench(backend, args)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED (see above)")


if __name__ == "__main__":
    main()
