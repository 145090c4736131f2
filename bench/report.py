"""bench/results.json (the figures) and bench/RESULTS.md (the same, for people)."""
import json
from pathlib import Path

from .report_matching import summarise_matching
from .report_text import markdown

TARGETS = {
    "guardian_over_policy_min": 100,  # the list query at least 100 times faster than stock guardian
    "policy_over_column_max": 5,  # and within 5 times of the plain column filter
    "api_over_bare_rps_min": 0.6,  # GET /api/v1/cases/ throughput at least 60% of the bare endpoint
    "api_p95_ms_max": 50,  # p95 under 50 ms at low concurrency
    "audit_cost_max": 0.10,  # the consultation record adds under 10% to the case detail
}
HTTP_KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms")


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 2) if denominator else float("inf")


def summarise(results: dict) -> dict:
    final = results["growth"][-1]
    times, guardian = final["list_query"], final["guardian"]["times"]
    http = results["http_phase"]["endpoints"]
    detail, without = http["api_case_detail"], http["api_case_detail_without_audit"]
    ratios = {
        # Guardian against our policy timed in the same phase (the baseline's extra rows present for both).
        "guardian_over_policy": _ratio(guardian["guardian"]["median_ms"], guardian["policy"]["median_ms"]),
        "policy_over_column": _ratio(times["policy"]["median_ms"], times["column"]["median_ms"]),
        "api_over_bare_rps": _ratio(http["api_cases"]["rps"], http["bare"]["rps"]),
    }
    paired = results["http_phase"].get("audit_paired")
    interleaved = results["http_phase"].get("audit_interleaved")
    separate_rounds = {"throughput": round(1 - detail["rps"] / without["rps"], 3),
                       "median_latency": round(detail["p50_ms"] / without["p50_ms"] - 1, 3)}
    # The target is judged by the measures that take both sides at the same moments: the machine's
    # drift between separate rounds is as large as the cost measured (bench.audit_cost).
    audit_costs = dict(separate_rounds) if interleaved is None else {
        "throughput": interleaved["throughput_cost"], "median_latency": interleaved["median_latency_cost"]}
    if paired:
        audit_costs["paired_server_time"] = paired["cost"]
    queries_constant = len({json.dumps(step["queries_per_request"], sort_keys=True) for step in results["growth"]}) == 1
    uncapped_counts = [count for step in results["growth"] for count in step["count_statements"] if not count["capped"]]
    targets = {
        "list_query_vs_guardian": ratios["guardian_over_policy"] >= TARGETS["guardian_over_policy_min"],
        "list_query_vs_column": ratios["policy_over_column"] <= TARGETS["policy_over_column_max"],
        "api_throughput_vs_bare": ratios["api_over_bare_rps"] >= TARGETS["api_over_bare_rps_min"],
        "api_p95_low_concurrency": http["api_cases"]["p95_ms"] < TARGETS["api_p95_ms_max"],
        "no_exact_count_on_hot_paths": not uncapped_counts,
        "audit_write_under_10_percent": max(audit_costs.values()) < TARGETS["audit_cost_max"],
        "queries_per_request_constant": queries_constant,
    }
    return {
        "size": results["size"],
        "list_query_ms": {"policy": times["policy"]["median_ms"], "guardian": guardian["guardian"]["median_ms"],
                          "column": times["column"]["median_ms"]},
        "list_query_p95_ms": {"policy": times["policy"]["p95_ms"], "guardian": guardian["guardian"]["p95_ms"],
                              "column": times["column"]["p95_ms"]},
        "http": {name: {key: values[key] for key in HTTP_KEYS} for name, values in http.items()},
        "queries_per_request": final["queries_per_request"],
        "ratios": ratios,
        "targets": TARGETS,
        "targets_met": targets,
        "audit_cost": {
            "detail_rps_without_over_with_audit": _ratio(without["rps"], detail["rps"]),
            "detail_p50_with_over_without_audit": _ratio(detail["p50_ms"], without["p50_ms"]),
            "costs": audit_costs,
            "separate_rounds": separate_rounds,
            "interleaved": interleaved,
            "paired": paired,
        },
        "growth": [{"size": step["size"], "policy_ms": step["list_query"]["policy"]["median_ms"],
                    "column_ms": step["list_query"]["column"]["median_ms"],
                    "guardian_ms": step["guardian"]["times"]["guardian"]["median_ms"],
                    "queries_per_request": step["queries_per_request"]} for step in results["growth"]],
        "notification_fanout": results["http_phase"]["hooks"]["notification_fanout"],
        "matching": summarise_matching(results),
    }


# Figures measured by their own harness (bench.case_file), kept when the main run rewrites the files.
OWN_HARNESS = ("case_file",)


def write_report(results: dict, directory: Path) -> None:
    summary = summarise(results)
    previous = json.loads((directory / "results.json").read_text()) if (directory / "results.json").exists() else {}
    kept = {name: previous[name] for name in OWN_HARNESS if name in previous}
    (directory / "results.json").write_text(
        json.dumps({**summary, **kept, "details": results}, indent=2, default=str) + "\n")
    (directory / "RESULTS.md").write_text(markdown(summary, results))
    if "case_file" in kept:
        from .case_file import write as write_case_file

        write_case_file(kept["case_file"])


if __name__ == "__main__":  # render the last run again, e.g. after editing bench/report_notes.py
    here = Path(__file__).resolve().parent
    write_report(json.loads((here / "data" / "last-run.json").read_text()), here)
