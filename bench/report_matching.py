"""bench/results.json "matching" and section 5 of bench/RESULTS.md (issue 14), from one run."""
from .report_text import _load, _ok, _table

TARGETS = {
    "lookup_ms_max": 1.0,  # finding the holders of one key, median, through the index on key
    "identifier_add_ratio_min": 0.9,  # the identifier POST with matching enqueued, against without
    "rematch_s_max": 300,  # the nightly re-match at the largest size
}
PHASES = {"from_empty": "first re-match over existing data (empty hits table: every hit at once)",
          "nothing_missing": "again, nothing missing",
          "nightly": "nightly, hits of 1% of the cases with hits lost"}


def summarise_matching(results: dict) -> dict:
    final = results["growth"][-1]["matching"]
    http = results.get("matching_http", {})
    post = http.get("identifier_post", {})
    rematch = final["rematch"]
    page = final["hits_page"]
    measured = {
        "size": results["size"],
        "match_keys": final["match_keys"],
        "lookup_ms": final["lookup"]["held"]["median_ms"],
        "lookup_p95_ms": final["lookup"]["held"]["p95_ms"],
        "lookup_recurring_ms": final["lookup"].get("recurring", {}).get("median_ms"),
        "lookup_new_key_ms": final["lookup"]["new"]["median_ms"],
        "match_task_ms": {name: value["median_ms"] for name, value in final["task"].items()},
        "identifier_add_rps": {
            # Judged by the interleaved measure (both sides at the same moments, as for the audit cost).
            "ratio": post.get("interleaved", {}).get("throughput_ratio"),
            "separate_rounds_ratio": post.get("rps_ratio"),
            "with_matching_rps": post.get("separate_rounds", {}).get("with_matching", {}).get("rps"),
            "without_matching_rps": post.get("separate_rounds", {}).get("without_matching", {}).get("rps"),
        },
        "rematch_s": rematch["nightly"]["seconds"],
        "rematch_hits_created": rematch["nightly"]["hits_created"],
        "rematch_from_empty_s": rematch["from_empty"]["seconds"],
        "hits_created": rematch["from_empty"]["hits_created"],
        "rematch_nothing_missing_s": rematch["nothing_missing"]["seconds"],
        "hits_page_ms": page["median_ms"],
        "hits_page_p95_ms": page["p95_ms"],
        "hits_page_queries": page["queries_per_request"],
        "hits_page_http": {name: http["hits_page"][name]["rps"] for name in ("api_hits", "bare_hits")}
        if http.get("hits_page") else None,
        "hits_page_over_bare_rps": http.get("hits_page", {}).get("ratio"),
        "identifier_post_queries": final["identifier_post_queries"],
        "identifier_post_breakdown": final.get("identifier_post_breakdown"),
    }
    ratio = measured["identifier_add_rps"]["ratio"]
    measured["targets"] = TARGETS
    measured["targets_met"] = {
        "lookup_under_1_ms": measured["lookup_ms"] < TARGETS["lookup_ms_max"],
        "identifier_add_at_least_90_percent": ratio is not None and ratio >= TARGETS["identifier_add_ratio_min"],
        "nightly_rematch_under_5_minutes": measured["rematch_s"] < TARGETS["rematch_s_max"],
        "first_rematch_under_5_minutes": measured["rematch_from_empty_s"] < TARGETS["rematch_s_max"],
        "hits_page_queries_constant": len({step["matching"]["hits_page"]["queries_per_request"]
                                           for step in results["growth"]}) == 1,
    }
    measured["growth"] = [_growth_row(step) for step in results["growth"]]
    return measured


def _growth_row(step: dict) -> dict:
    matching = step["matching"]
    rematch = matching["rematch"]
    return {"size": step["size"], "match_keys": matching["match_keys"], "frequent_keys": matching["frequent_keys"],
            "lookup_ms": matching["lookup"]["held"]["median_ms"],
            "lookup_new_key_ms": matching["lookup"]["new"]["median_ms"],
            "match_task_ms": matching["task"]["recurring"]["median_ms"] if "recurring" in matching["task"] else None,
            "rematch_from_empty_s": rematch["from_empty"]["seconds"], "hits_created": rematch["from_empty"]["hits_created"],
            "rematch_nothing_missing_s": rematch["nothing_missing"]["seconds"],
            "rematch_s": rematch["nightly"]["seconds"], "rematch_hits_created": rematch["nightly"]["hits_created"],
            "hits_page_ms": matching["hits_page"]["median_ms"],
            "hits_page_queries": matching["hits_page"]["queries_per_request"],
            "identifier_post_queries": matching["identifier_post_queries"]}


def headline_rows(summary: dict) -> list[list]:
    matching = summary["matching"]
    targets, met = matching["targets"], matching["targets_met"]
    add = matching["identifier_add_rps"]
    add_text = ("not measured" if add["ratio"] is None else
                f"{add['ratio']:.0%} interleaved ({add['separate_rounds_ratio']:.0%} in separate rounds: "
                f"{add['with_matching_rps']} vs {add['without_matching_rps']} req/s)")
    return [
        ["match-key lookup (issue 14)", f"< {targets['lookup_ms_max']:g} ms", f"{matching['lookup_ms']} ms median "
         f"(p95 {matching['lookup_p95_ms']} ms) over {matching['match_keys']:,} keys", _ok(met["lookup_under_1_ms"])],
        ["identifier POST with matching enqueued vs without", f"≥ {targets['identifier_add_ratio_min']:.0%}", add_text,
         _ok(met["identifier_add_at_least_90_percent"])],
        ["nightly re-match (1% of the matching tasks lost)", f"< {targets['rematch_s_max'] // 60} min",
         f"{matching['rematch_s']} s, {matching['rematch_hits_created']:,} hits created",
         _ok(met["nightly_rematch_under_5_minutes"])],
        ["first re-match over existing data (every hit)", f"< {targets['rematch_s_max'] // 60} min",
         f"{matching['rematch_from_empty_s']} s, {matching['hits_created']:,} hits created",
         _ok(met["first_rematch_under_5_minutes"])],
        ["GET /api/v1/hits/, busiest agency, first page", "none set (the case list's: ≥ 60% of bare)",
         f"{matching['hits_page_ms']} ms in PostgreSQL, {matching['hits_page_queries']} queries, "
         + ("HTTP not measured" if matching["hits_page_over_bare_rps"] is None else
            f"{matching['hits_page_over_bare_rps']:.0%} of bare ({matching['hits_page_http']['api_hits']} vs "
            f"{matching['hits_page_http']['bare_hits']} req/s)"), "–"],
    ]


def _lookup(final: dict) -> str:
    labels = {"held": "a key the index holds (random sample)", "recurring": "a key held by 2–20 cases",
              "new": "a new identifier's key, held by nobody"}
    rows = [[labels[name], value["median_ms"], value["p95_ms"], value["planning_median_ms"],
             value["execution_median_ms"], value["runs"]]
            for name, value in final["lookup"].items() if name in labels]
    return _table(["key", "median ms", "p95 ms", "planning ms", "execution ms", "keys"], rows)


def _task(final: dict) -> str:
    labels = {"recurring": "a case holding a recurring value", "any": "any case"}
    rows = [[labels[name], value["median_ms"], value["max_ms"], value["hits_per_case"], value["cases"]]
            for name, value in final["task"].items()]
    return _table(["case", "median ms", "max ms", "hit rows created per run", "cases"], rows)


def _rematch(final: dict) -> str:
    rematch = final["rematch"]
    rows = [[PHASES[name], value["seconds"], f"{value['hits_created']:,}", value["withdraw_s"], value["insert_s"],
             value["after_s"], value["after_ms_per_hit"] if value["after_ms_per_hit"] is not None else "–",
             f"{value['tasks_published']:,}"]
            for name, value in rematch.items() if name in PHASES]
    return _table(["run", "seconds", "hits created", "frequent keys, withdrawal s", "INSERT … SELECT s",
                   "after-work s", "after-work ms per hit", "tasks published"], rows)


def _breakdown(final: dict) -> str:
    breakdown = final.get("identifier_post_breakdown")
    if not breakdown:
        return "not measured"
    return (f"{breakdown['index_case_part_ms']} ms to write the key (`index_case_part`: HMAC and INSERT) and "
            f"{breakdown['publish_task_ms']} ms to publish the matching task to Redis on commit (medians of "
            f"{breakdown['runs']})")


def _growth(summary: dict) -> str:
    rows = [[f"{row['size']:,}", f"{row['match_keys']:,}", row["frequent_keys"], row["lookup_ms"],
             row["lookup_new_key_ms"], row["match_task_ms"], row["rematch_from_empty_s"], f"{row['hits_created']:,}",
             row["rematch_nothing_missing_s"], row["rematch_s"], f"{row['rematch_hits_created']:,}",
             row["hits_page_ms"], row["hits_page_queries"],
             f"{row['identifier_post_queries']['with_matching']} / {row['identifier_post_queries']['without_matching']}"]
            for row in summary["matching"]["growth"]]
    return _table(["cases", "match keys", "frequent keys", "lookup ms", "new-key lookup ms", "task ms (recurring)",
                   "first re-match s", "hits", "re-match, nothing missing, s", "nightly re-match s",
                   "nightly hits", "hits page ms", "hits page queries", "identifier POST queries (with / without)"],
                  rows)


def _http(results: dict) -> str:
    http = results.get("matching_http")
    if not http:
        return "Not measured in this run."
    post, page = http["identifier_post"], http["hits_page"]
    labels = {"api_hits": f"GET /api/v1/hits/ ({page['username']})",
              "bare_hits": "bare DRF, same 50 hits, no policy (bench only)",
              "with_matching": "POST /api/v1/cases/{id}/identifiers/, matching enqueued",
              "without_matching": "same POST without matching (bench only)"}
    rows = [[labels[name], value["rps"], value["p50_ms"], value["p95_ms"], value["p99_ms"], value["requests"],
             value["non_2xx"]]
            for name, value in [*((name, page[name]) for name in ("api_hits", "bare_hits")),
                                *post["separate_rounds"].items()]]
    interleaved = post["interleaved"]
    per_round = ", ".join(f"{ratio:.0%}" for ratio in interleaved["throughput_ratio_per_round"])
    return (_table(["endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "requests", "errors"], rows) + f"""

gunicorn ({http['connections']} connections, {http['rounds']} rounds of {http['seconds']} s per endpoint after a
warm-up, medians over the rounds); {_load(http['load_before'])} before, {_load(http['load_after'])} after.
The hits page serves **{page['ratio']:.0%}** of the bare endpoint's throughput. The identifier POSTs add a
new container to one of {post['cases']:,} Rotterdam cases each time (`{post['username']}`), with the
gunicorn workers publishing to Redis (`REDIS_URL`) as in production; no worker runs the tasks, so
the figures are the request's own: {post['posts_with_matching_in_rounds']:,} POSTs with matching in the
separate rounds, {post['match_tasks_enqueued_in_rounds']:,} matching tasks found in the queue after them.
In separate rounds the POST with matching serves **{post['rps_ratio']:.0%}** of the throughput without.

Alternated on every connection ({interleaved['pairs']:,} pairs in {interleaved['rounds']} runs, the two
POSTs on the same case back to back, bench/wrk/interleaved.lua): mean latency
{interleaved['with_matching_ms']['mean']} ms with matching against {interleaved['without_matching_ms']['mean']} ms
without, so **{interleaved['throughput_ratio']:.0%}** of the throughput (per run: {per_round}); median
{interleaved['with_matching_ms']['median']} against {interleaved['without_matching_ms']['median']} ms; median
difference within a pair {interleaved['paired_difference_ms']} ms.""")


def matching_markdown(summary: dict, results: dict) -> str:
    from .report_notes import MATCHING_NOTES

    final = results["growth"][-1]["matching"]
    size = f"{summary['size']:,}"
    page = final["hits_page"]
    plan = final["rematch"].get("plan", "")
    return f"""## 5. Hit/no-hit matching (issue 14)

Match keys at {size} cases: {final['match_keys']:,} (one per identifier, one or two per company, one per person
with a date of birth), {final['frequent_keys']:,} of them held by more than MATCHING_MAX_CASES cases.
Measured {_load(final['load_before'])} (before) and {_load(final['load_after'])} (after).

**Finding who else holds a key** (the matches of one new identifier: `SELECT case_id, owner_agency_id, kind
FROM cases_matchkey WHERE key = … AND owner_agency_id <> …`, for a Rotterdam case), PostgreSQL's time:

{_lookup(final)}

```
{final['lookup'].get('plan', '')}
```

**The matching task of one case** (`hits_match_case`, run after each new identifier or party; in
process, each rolled back, with the hits it creates, their audit records and outbox rows):

{_task(final)}

**The nightly re-match** (`hits_rematch_all`, in process, tasks published to Redis):

{_rematch(final)}

The split: statements before the hits INSERT (finding the frequent keys and withdrawing their open
hits), the INSERT … SELECT itself, and the rest (loading the new hits, one audit record and one outbox
row for each, the commit, publishing each delivery task). The nightly run lost the hits of
{final['rematch']['lost']['cases_lost']:,} of the {final['rematch']['lost']['cases_with_hits']:,} cases with hits
({final['rematch']['lost']['hits_deleted']:,} hit rows, both sides) before it ran.

The re-match's INSERT … SELECT at {size} cases, EXPLAIN ANALYZE'd with nothing missing (rolled back):

```
{plan}
```

**GET /api/v1/hits/**, first page for `{page['username']}` (the agency with most hits,
{page['agency_hits']:,} hit rows; the officer sees {page['hits_visible']:,}): the page query takes
{page['median_ms']} ms (p95 {page['p95_ms']} ms, {page['runs']} runs); {page['queries_per_request']} queries per
request. Its plan:

```
{page.get('plan', '')}
```

The identifier POST runs {final['identifier_post_queries']['with_matching']} queries with matching and
{final['identifier_post_queries']['without_matching']} without (the key's INSERT). In process, the matching's
own share of the POST is {_breakdown(final)}.

{_http(results)}

### Growth

{_growth(summary)}

{MATCHING_NOTES}
"""
