"""The case list against bare DRF over HTTP (issue 17): GET /api/v1/cases/ with the access
policy, and /bench/bare/cases/ (the same 50 rows through CaseListSerializer and DRF's own
renderer, no policy), under gunicorn (2 sync workers) and wrk. Each round serves every tree
given in turn, both endpoints back to back (their order alternating by round), so a
before/after comparison shares the machine's load; per tree the medians of rps and p95 and
the median of the per-round ratios api/bare; then both alternated request by request on every
connection (bench/wrk/interleaved.lua), whose ratio of mean times drifts least on a busy machine.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=bench.settings \\
        .venv/bin/python -m bench.list_http --tree before=/tmp/before --tree after=. --rounds 5

A tree is a checkout of this repository (`git worktree add`): the same virtualenv serves them
all. Both endpoints are checked to answer 200 with the same ids before each round.
"""
import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

import django

from .load import WORKERS, Endpoint, _free_port, _wait_until_up, wrk, wrk_interleaved

ENDPOINTS = {"api_cases": "/api/v1/cases/", "bare": "/bench/bare/cases/"}
PAGE = 50


@contextlib.contextmanager
def gunicorn_in(tree: Path, env: dict):
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "coordination.wsgi:application", "--workers",
         str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=tree, env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/accounts/login/")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def reader_context(username: str) -> tuple[str, list[str]]:
    """A token of `username` and the ids of their first page of the list, newest seizure first."""
    from django.contrib.auth import get_user_model

    from cases.selectors import case_list

    from .query_counts import token_for

    user = get_user_model().objects.get(username=username)
    ids = case_list(user=user).order_by("-seized_at", "-id").values_list("pk", flat=True)[:PAGE]
    return token_for(user), [str(pk) for pk in ids]


def ids_served(base: str, path: str, token: str) -> list[str]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/json", path
        return [row["id"] for row in json.load(response)["results"]]


def one_round(tree: Path, *, token: str, ids: list[str], order: list[str], seconds: int, connections: int) -> dict:
    with gunicorn_in(tree, {"BENCH_BARE_CASE_IDS": ",".join(ids)}) as base:
        for name in order:
            if ids_served(base, ENDPOINTS[name], token) != ids:
                raise RuntimeError(f"{tree}: {name} does not serve the reader's first page")
        credentials = {"BENCH_AUTHORIZATION": f"Token {token}"}
        endpoints = {name: Endpoint(ENDPOINTS[name], lambda: credentials, paths=[ENDPOINTS[name]]) for name in order}
        for endpoint in endpoints.values():  # warm-up: connections, caches, the workers' imports
            wrk(base, endpoint, seconds=2, connections=connections)
        result = {name: wrk(base, endpoint, seconds=seconds, connections=connections)
                  for name, endpoint in endpoints.items()}
        # The two alternated on every connection: both share every moment of the run, so the
        # machine's drift falls on both alike. One connection per worker: no request queues
        # behind the other kind, so the ratio of mean times is the ratio of throughputs.
        pairs = wrk_interleaved(base, endpoints["api_cases"], endpoints["bare"], seconds=seconds,
                                connections=WORKERS)
        result["interleaved"] = {"pairs": len(pairs), "ratio": sum(bare for _order, _api, bare in pairs)
                                 / sum(api for _order, api, _bare in pairs)}
        return result


def summary(runs: list[dict]) -> dict:
    result = {name: {"rps": round(statistics.median(run[name]["rps"] for run in runs), 1),
                     "p95_ms": round(statistics.median(run[name]["p95_ms"] for run in runs), 2),
                     "non_2xx": sum(run[name]["non_2xx"] + run[name]["socket_errors"] for run in runs)}
              for name in ENDPOINTS}
    if any(run[name]["requests"] == 0 for run in runs for name in ENDPOINTS):
        raise RuntimeError("a run answered no request in time (wrk's timeout is 2 s)")
    ratios = [run["api_cases"]["rps"] / run["bare"]["rps"] for run in runs]
    result["ratio_api_to_bare"] = round(statistics.median(ratios), 3)
    # Throughput api/bare from requests alternated on each connection: bare's mean time over api's.
    result["interleaved_ratio_api_to_bare"] = round(statistics.median(run["interleaved"]["ratio"] for run in runs), 3)
    result["rounds"] = [{"ratio": round(ratio, 3), "interleaved_ratio": round(run["interleaved"]["ratio"], 3),
                         "pairs": run["interleaved"]["pairs"], **{name: run[name]["rps"] for name in ENDPOINTS}}
                        for ratio, run in zip(ratios, runs)]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=DIR",
                        help="a checkout to serve (repeat to compare); default: this one")
    parser.add_argument("--user", default="rtm.officer")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    arguments = parser.parse_args()
    trees = dict(item.split("=", 1) for item in arguments.tree) or {"this": str(Path(__file__).parents[1])}
    django.setup()
    token, ids = reader_context(arguments.user)
    runs = {name: [] for name in trees}
    for number in range(arguments.rounds):
        order = list(ENDPOINTS) if number % 2 == 0 else list(ENDPOINTS)[::-1]
        for name, tree in trees.items():
            runs[name].append(one_round(Path(tree), token=token, ids=ids, order=order, seconds=arguments.seconds,
                                        connections=arguments.connections))
            print(name, number, {key: runs[name][-1][key]["rps"] for key in order}, file=sys.stderr, flush=True)
    print(json.dumps({"user": arguments.user, "workers": WORKERS, "connections": arguments.connections,
                      "seconds": arguments.seconds, **{name: summary(values) for name, values in runs.items()}},
                     indent=2))


if __name__ == "__main__":
    main()
