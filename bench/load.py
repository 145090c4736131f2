"""End-to-end HTTP: the application under gunicorn (2 sync workers), driven by wrk on loopback."""
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH_DIR = Path(__file__).resolve().parent
WRK_SCRIPT = BENCH_DIR / "wrk" / "report.lua"
WRK_INTERLEAVED_SCRIPT = BENCH_DIR / "wrk" / "interleaved.lua"
WORKERS = 2


@dataclass
class Endpoint:
    path: str
    # Called before every wrk run: the Authorization or Cookie header to send (a fresh token
    # per run where consultations must not be grouped with an earlier run's).
    credentials: Callable[[], dict]
    paths: list[str] = field(default_factory=list)  # cycled through instead of `path` when given


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict):
    port = _free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn_bin), "coordination.wsgi:application", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BENCH_DIR.parent, env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/accounts/login/")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def wrk(base: str, endpoint: Endpoint, *, seconds: int, connections: int) -> dict:
    env = {**os.environ, **endpoint.credentials()}
    with tempfile.NamedTemporaryFile("w", suffix=".paths") as paths_file:
        if endpoint.paths:
            paths_file.write("\n".join(endpoint.paths) + "\n")
            paths_file.flush()
            env["BENCH_PATHS_FILE"] = paths_file.name
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(WRK_SCRIPT), base + endpoint.path],
            env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return {"rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            **{f"{key}_ms": round(raw[f"{key}_us"] / 1000, 2) for key in ("p50", "p95", "p99", "max")},
            "requests": raw["requests"], "non_2xx": raw["non_2xx"], "socket_errors": raw["socket_errors"]}


def _median_of_rounds(runs: list[dict]) -> dict:
    summary = {key: round(statistics.median(run[key] for run in runs), 2)
               for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
    summary.update(requests=sum(run["requests"] for run in runs),
                   non_2xx=sum(run["non_2xx"] for run in runs) + sum(run["socket_errors"] for run in runs),
                   rounds=[{key: run[key] for key in ("rps", "p50_ms", "p95_ms", "p99_ms")} for run in runs])
    return summary


def measure(base: str, endpoints: dict[str, Endpoint], *, rounds: int, seconds: int, connections: int) -> dict:
    """Every endpoint `rounds` times, interleaved (A B C, A B C, ...), after a short warm-up;
    per endpoint the median over the rounds of rps and of each percentile."""
    for endpoint in endpoints.values():
        wrk(base, endpoint, seconds=2, connections=connections)
    runs = {name: [] for name in endpoints}
    for _ in range(rounds):
        for name, endpoint in endpoints.items():
            runs[name].append(wrk(base, endpoint, seconds=seconds, connections=connections))
    return {name: _median_of_rounds(values) for name, values in runs.items()}


def _paths_file(directory: str, name: str, paths: list[str]) -> str:
    file = Path(directory) / name
    file.write_text("\n".join(paths) + "\n")
    return str(file)


def wrk_interleaved(base: str, a: Endpoint, b: Endpoint, *, seconds: int, connections: int,
                    expect_status: int = 200) -> list[tuple[str, float]]:
    """A and B alternated on every connection (bench/wrk/interleaved.lua), the same case back to
    back: per answered pair, the order sent and the two latencies in ms, (order, a_ms, b_ms).
    Lines "path<TAB>body" in the endpoints' paths are POSTs (answered `expect_status`)."""
    env = {**os.environ, "BENCH_THREADS": str(connections), "BENCH_EXPECT_STATUS": str(expect_status)}
    with tempfile.TemporaryDirectory() as directory:
        for kind, endpoint in (("A", a), ("B", b)):
            env[f"BENCH_{kind}_AUTHORIZATION"] = endpoint.credentials()["BENCH_AUTHORIZATION"]
            env[f"BENCH_{kind}_PATHS_FILE"] = _paths_file(directory, kind, endpoint.paths)
        output = subprocess.run(
            # A long timeout: one slow answer must not count as a lost one and break the pairing.
            ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s",
             str(WRK_INTERLEAVED_SCRIPT), base],
            env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    if raw["failures"] or raw["socket_errors"]:
        raise RuntimeError(f"interleaved run: {raw['failures']} answers not 200, {raw['socket_errors']} socket errors")
    pairs = []
    for thread in raw["threads"]:
        kinds, latencies = thread["kinds"], thread["latencies_us"]
        for index in range(0, len(kinds) - 1, 2):
            order = kinds[index:index + 2]
            if order not in ("AB", "BA"):
                raise RuntimeError(f"interleaved run: answers out of step ({order})")
            first, second = latencies[index] / 1000, latencies[index + 1] / 1000
            pairs.append((order, first, second) if order == "AB" else (order, second, first))
    return pairs
