"""`make bench`: generate the data, measure, write bench/RESULTS.md and bench/results.json.

    python -m bench.run --size 1000000      # grows 10k -> 100k -> 1M and measures at each size

At every size: grow the data (bench.generate), then bench.measure_db: queries per request,
and the API's own list query timed against stock guardian and the plain column filter; then
bench.matching: the match-key lookup, the matching task, the nightly re-match and the hits
page. At the largest size also other kinds of reader, and bench.measure_http: gunicorn + wrk,
the audit cost and the hooks for features still being built; and bench.matching's HTTP part
(the hits page against a bare endpoint, the identifier POST with and without matching).
"""
import argparse
import json
import time
from pathlib import Path

from .database import bench_database_url, database_name, migrate, recreate_database, setup_django

BENCH_DIR = Path(__file__).resolve().parent
RAW_RESULTS = BENCH_DIR / "data" / "last-run.json"  # `python -m bench.report` renders it again


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--growth", default="10000,100000", help="smaller sizes measured on the way")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds per endpoint")
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk round")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (low concurrency)")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    sizes = sorted({int(size) for size in args.growth.split(",") if size and int(size) < args.size} | {args.size})
    started = time.monotonic()
    url = bench_database_url()
    recreate_database(url)
    setup_django(url)
    migrate()
    from django.utils import timezone  # Django is set up only now

    from .generate import grow_to
    from .machine import code, load, machine
    from .matching import matching_http, measure_matching
    from .measure_db import measure_size
    from .measure_http import http_phase
    from .population import build_population
    from .report import write_report

    results = {"size": args.size, "started_at": timezone.now().isoformat(timespec="seconds"),
               "database": database_name(url), "code": code(), "machine": machine(),
               "load_at_start": load(), "arguments": vars(args), "growth": []}
    population = build_population()
    now = timezone.now()
    for size in sizes:
        print(f"bench: growing to {size:,} cases", flush=True)
        step = {"size": size, "generation": grow_to(population, size, now=now)}
        print(f"bench: measuring at {size:,} cases", flush=True)
        step.update(measure_size(final=size == args.size))
        print(f"bench: matching at {size:,} cases", flush=True)
        step["matching"] = measure_matching(final=size == args.size)
        results["growth"].append(step)
    print("bench: HTTP under gunicorn and wrk", flush=True)
    results["http_phase"] = http_phase(population, size=args.size, rounds=args.rounds, seconds=args.seconds,
                                       connections=args.connections)
    print("bench: matching under gunicorn and wrk", flush=True)
    results["matching_http"] = matching_http(rounds=args.rounds, seconds=args.seconds, connections=args.connections)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    RAW_RESULTS.parent.mkdir(exist_ok=True)
    RAW_RESULTS.write_text(json.dumps(results, default=str))
    write_report(results, BENCH_DIR)
    print(f"bench: done in {results['minutes']} min; see bench/RESULTS.md", flush=True)


if __name__ == "__main__":
    main()
