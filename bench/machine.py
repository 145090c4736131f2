"""What the bench ran on and how busy the machine was: a figure means little without it."""
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from django.db import connection

PG_SETTINGS = ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit",
               "max_parallel_workers_per_gather")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    with connection.cursor() as cursor:
        postgres = {}
        for setting in PG_SETTINGS:
            cursor.execute(f"SHOW {setting}")
            postgres[setting] = cursor.fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(), "python": platform.python_version(), "postgresql": postgres,
        "packages": {name: metadata.version(name) for name in ("Django", "djangorestframework", "django-guardian",
                                                               "psycopg2-binary", "gunicorn")},
        "wrk": wrk,
    }


def load() -> dict:
    """Load averages, and how many test runs (pytest processes) other people had going."""
    one, five, fifteen = os.getloadavg()
    pytest_runs = subprocess.run(["pgrep", "-c", "-f", "pytest"], capture_output=True, text=True).stdout.strip()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2),
            "pytest_processes": int(pytest_runs or 0)}


def code() -> dict:
    """Which code was measured: the commit, and whether files outside bench/ differed from it.
    In a tree exported with `git archive` (no .git), BENCH_COMMIT names the commit."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    try:
        changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
                   if not line[3:].startswith("bench/")]
        return {"commit": git("rev-parse", "--short", "HEAD"), "changed_outside_bench": changed}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": os.environ.get("BENCH_COMMIT", "unknown"), "changed_outside_bench": [],
                "exported": True}
