"""The audit write's cost on the case detail: GET /api/v1/cases/{id}/ with its consultation
record against the same detail without the audit step (bench/views.py).

Three measurements, all with every audited request a first consultation (so each writes):
- under gunicorn + wrk, separate rounds of each endpoint, interleaved: throughput and latency
  (bench.measure_http). Between rounds the machine drifts (the audit-free rounds of one run
  went from 152 to 138 req/s), so these two figures swing by a few points from run to run;
- under gunicorn + wrk, interleaved requests: on every connection an audited request and an
  audit-free one of the same case, back to back (bench/wrk/interleaved.lua). Both share every
  moment of the run. Throughput follows from the mean latencies (a closed loop: requests per
  second per connection = 1 / mean latency), and the median latencies compare directly;
- in process, paired: each case is requested once with and once without the audit step, in
  alternating order, and the median of the per-case differences is taken. Pairing on the same
  case removes what differs between cases and what drifts on a busy machine, so it is the
  steadier figure of what the write adds to one request.

Run on its own against the database `make bench` left behind (no regeneration), e.g. after a
change to the consultation path:

    python -m bench.audit_cost --rounds 6 --seconds 10
"""
import argparse
import json
import statistics
import time

from .database import bench_database_url, checkpoint, migrate, setup_django

AUDIT_ENDPOINTS = ("api_case_detail", "api_case_detail_without_audit", "api_case_detail_repeated")
PAIRED_SAMPLES = 1500
WARM_UP = 100


def paired_server_times(officer, pool: list[str], samples: int = PAIRED_SAMPLES) -> dict:
    from django.test import Client

    from .query_counts import token_for

    # A fresh token: no earlier record of this session stands for these views.
    client = Client(HTTP_AUTHORIZATION=f"Token {token_for(officer)}")

    def elapsed(path: str) -> float:
        started = time.perf_counter()
        status = client.get(path).status_code
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return time.perf_counter() - started

    audited, without = [], []
    for index, case_id in enumerate(pool[:samples + WARM_UP]):
        pair = (f"/api/v1/cases/{case_id}/", f"/bench/cases/{case_id}/")
        if index % 2:
            first, second = elapsed(pair[0]), elapsed(pair[1])
        else:
            second, first = elapsed(pair[1]), elapsed(pair[0])
        if index >= WARM_UP:
            audited.append(first)
            without.append(second)
    differences = [with_audit - plain for with_audit, plain in zip(audited, without)]
    median_without = statistics.median(without)
    return {
        "samples": len(differences),
        "with_audit_ms": round(statistics.median(audited) * 1000, 3),
        "without_audit_ms": round(median_without * 1000, 3),
        "paired_difference_ms": round(statistics.median(differences) * 1000, 3),
        "cost": round(statistics.median(differences) / median_without, 3),
    }


def interleaved_cost(base: str, with_audit, without, *, rounds: int, seconds: int, connections: int) -> dict:
    """The audited and the audit-free detail alternated on every connection (bench.load.wrk_interleaved),
    `rounds` wrk runs, each with a fresh token for the audited side.

    Each cost is the mean of its value over the two orders (audited first, audit-free first), so
    that whichever request of a pair finds the case warmed by the other weighs the same."""
    from .load import WORKERS, wrk_interleaved

    if connections > WORKERS:  # requests would queue for a worker, and the queue would dilute the cost
        raise ValueError(f"interleaved runs need at most {WORKERS} connections, one per gunicorn worker")
    runs = [wrk_interleaved(base, with_audit, without, seconds=seconds, connections=connections) for _ in range(rounds)]
    pairs = [pair for run in runs for pair in run]
    audited, plain = [pair[1] for pair in pairs], [pair[2] for pair in pairs]

    def per_order(cost, of: list) -> float:
        by_order = [[pair for pair in of if pair[0] == order] for order in ("AB", "BA")]
        return round(statistics.fmean(cost([a for _, a, _ in group], [b for _, _, b in group])
                                      for group in by_order if group), 3)

    def throughput(a: list, b: list) -> float:  # closed loop: requests per second = 1 / mean latency
        return 1 - statistics.fmean(b) / statistics.fmean(a)

    def median_latency(a: list, b: list) -> float:
        return statistics.median(a) / statistics.median(b) - 1

    return {
        "rounds": rounds, "seconds": seconds, "connections": connections, "pairs": len(pairs),
        "pairs_audited_first": sum(1 for pair in pairs if pair[0] == "AB"),
        "with_audit_ms": {"median": round(statistics.median(audited), 3), "mean": round(statistics.fmean(audited), 3)},
        "without_audit_ms": {"median": round(statistics.median(plain), 3), "mean": round(statistics.fmean(plain), 3)},
        "paired_difference_ms": round(statistics.median(a - b for _, a, b in pairs), 3),
        "throughput_cost": per_order(throughput, pairs),
        "median_latency_cost": per_order(median_latency, pairs),
        "throughput_cost_per_round": [per_order(throughput, run) for run in runs],
    }


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=2)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    setup_django(bench_database_url())
    migrate()  # the bench database may predate the newest migration
    from .load import gunicorn, measure
    from .machine import code, load
    from .measure_db import officer_context, owned_case_ids
    from .measure_http import DETAIL_POOL, endpoints

    officer, agency_id = officer_context()
    pool = owned_case_ids(agency_id, DETAIL_POOL + 2)[2:]
    targets = {name: endpoint for name, endpoint in endpoints(officer, pool).items() if name in AUDIT_ENDPOINTS}
    before = load()
    checkpoint()
    with gunicorn({}) as base:
        http = measure(base, targets, rounds=args.rounds, seconds=args.seconds, connections=args.connections)
        checkpoint()
        interleaved = interleaved_cost(base, targets["api_case_detail"], targets["api_case_detail_without_audit"],
                                       rounds=args.rounds, seconds=args.seconds, connections=args.connections)
    # The paired run reads the pool from its far end: those cases were not consulted above.
    checkpoint()
    paired = paired_server_times(officer, pool[::-1])
    with_audit, without = http["api_case_detail"], http["api_case_detail_without_audit"]
    summary = {
        "code": code(), "load_before": before, "load_after": load(), **vars(args),
        "rps": {name: value["rps"] for name, value in http.items()},
        "p50_ms": {name: value["p50_ms"] for name, value in http.items()},
        "throughput_cost": round(1 - with_audit["rps"] / without["rps"], 3),
        "rounds_rps": {name: [run["rps"] for run in value["rounds"]] for name, value in http.items()},
        "interleaved": interleaved,
        "paired": paired,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
