"""bench/RESULTS.md, written from one run's figures."""


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _ok(met: bool) -> str:
    return "met" if met else "**missed**"


def _load(load: dict) -> str:
    return (f"load {load['load_1m']} / {load['load_5m']} / {load['load_15m']} (1/5/15 min), "
            f"{load['pytest_processes']} pytest processes")


def _headline(summary: dict) -> str:
    ratios, targets, met = summary["ratios"], summary["targets"], summary["targets_met"]
    api = summary["http"]["api_cases"]
    q = summary["list_query_ms"]
    rows = [
        ["list query vs stock guardian", f"≥ {targets['guardian_over_policy_min']}x faster",
         f"{ratios['guardian_over_policy']}x (guardian {q['guardian']} ms, policy in the same phase)",
         _ok(met["list_query_vs_guardian"])],
        ["list query vs plain column filter", f"≤ {targets['policy_over_column_max']}x",
         f"{ratios['policy_over_column']}x (policy {q['policy']} ms, column {q['column']} ms)",
         _ok(met["list_query_vs_column"])],
        ["GET /api/v1/cases/ throughput vs bare DRF", f"≥ {int(targets['api_over_bare_rps_min'] * 100)}%",
         f"{round(ratios['api_over_bare_rps'] * 100)}% ({api['rps']} vs {summary['http']['bare']['rps']} req/s)",
         _ok(met["api_throughput_vs_bare"])],
        ["GET /api/v1/cases/ p95, low concurrency", f"< {targets['api_p95_ms_max']} ms", f"{api['p95_ms']} ms",
         _ok(met["api_p95_low_concurrency"])],
        ["exact COUNT(*) on hot paths", "none", "none" if met["no_exact_count_on_hot_paths"] else "found",
         _ok(met["no_exact_count_on_hot_paths"])],
        ["queries per request", "constant in size",
         "constant" if met["queries_per_request_constant"] else "varies", _ok(met["queries_per_request_constant"])],
        ["consultation record on the case detail (issue 6)", f"< {targets['audit_cost_max']:.0%}",
         ", ".join(f"{name.replace('_', ' ')} {cost:.1%}" for name, cost in summary["audit_cost"]["costs"].items()),
         _ok(met["audit_write_under_10_percent"])],
    ]
    from .report_matching import headline_rows

    rows += headline_rows(summary)
    return _table(["target", "wanted", f"measured at {summary['size']:,} cases", ""], rows)


def _data(results: dict) -> str:
    rows = []
    for step in results["growth"]:
        counts, guardian = step["generation"]["rows"], step["guardian"]
        cases = counts["cases_case"]
        rows.append([f"{cases:,}", f"{counts['cases_caseshare']:,}", f"{counts.get('cases_casegrant', 0):,}",
                     f"{counts['cases_casegroupobjectpermission']:,}",
                     f"{counts['cases_caseuserobjectpermission']:,}", f"{counts['cases_seizureitem']:,}",
                     f"{counts['cases_identifier']:,}", f"{counts['cases_party']:,}",
                     f"{counts.get('cases_matchkey', 0):,}", f"{counts['audit_auditevent']:,}",
                     f"{guardian['visible_by_policy'] / cases:.1%}",
                     f"{step['generation']['load_seconds']} + {step['generation']['vacuum_seconds']} s"])
    return _table(["cases", "shares", "named grants", "group grant rows", "user grant rows", "seizures",
                   "identifiers", "parties", "match keys",
                   "audit records", "officer sees", "load + vacuum"], rows)


def _variants(final: dict) -> str:
    times, guardian = final["list_query"], final["guardian"]["times"]
    base = times["policy"]["median_ms"]
    labels = {"policy": "**our policy** (cases/access.py)", "column": "plain column filter `owner_agency_id = X`",
              "previous_policy": "policy before issue 4 (`id IN` grant sets, joined permissions)",
              "exists_hashable": "plain `EXISTS`, permission ids resolved once (PostgreSQL hashes it)"}
    rows = [[labels[name], value["median_ms"], value["p95_ms"], value["planning_median_ms"],
             value["execution_median_ms"], value["runs"], f"{value['median_ms'] / base:.2f}"]
            for name, value in times.items()]
    rows.append(["stock guardian `get_objects_for_user` (own phase)", guardian["guardian"]["median_ms"],
                 guardian["guardian"]["p95_ms"], guardian["guardian"]["planning_median_ms"],
                 guardian["guardian"]["execution_median_ms"], guardian["guardian"]["runs"],
                 f"{guardian['guardian']['median_ms'] / base:.2f}"])
    rows.append(["our policy, in guardian's phase", guardian["policy"]["median_ms"], guardian["policy"]["p95_ms"],
                 guardian["policy"]["planning_median_ms"], guardian["policy"]["execution_median_ms"],
                 guardian["policy"]["runs"], f"{guardian['policy']['median_ms'] / base:.2f}"])
    return _table(["query (first page, 50 newest first, +1 row)", "median ms", "p95 ms", "planning ms",
                   "execution ms", "runs", "× policy"], rows)


def _http(phase: dict) -> str:
    labels = {"api_cases": "GET /api/v1/cases/", "bare": "bare DRF, same 50 rows, no policy (bench only)",
              "api_case_detail": "GET /api/v1/cases/{id}/ (each a first consultation: audit write)",
              "api_case_detail_without_audit": "same detail without the audit write (bench only)",
              "api_case_detail_repeated": "same case again and again (grouped: check, no write)",
              "browser_cases": "GET /cases/ (browser list, session)"}
    rows = [[labels[name], value["rps"], value["p50_ms"], value["p95_ms"], value["p99_ms"], value["requests"],
             value["non_2xx"]] for name, value in phase["endpoints"].items()]
    saturated = [[labels[name] + f", {4 * phase['connections']} connections", value["rps"], value["p50_ms"],
                  value["p95_ms"], value["p99_ms"], value["requests"], value["non_2xx"]]
                 for name, value in phase["saturated"].items()]
    return _table(["endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "requests", "errors"], rows + saturated)


def _growth(summary: dict, results: dict) -> str:
    rows = []
    for short, step in zip(summary["growth"], results["growth"]):
        queries = step["queries_per_request"]
        same_phase = step["guardian"]["times"]["policy"]["median_ms"]
        rows.append([f"{short['size']:,}", short["policy_ms"], step["list_query"]["policy"]["p95_ms"],
                     short["column_ms"], short["guardian_ms"], f"{short['guardian_ms'] / same_phase:.0f}x",
                     f"{short['guardian_ms'] / short['policy_ms']:.0f}x",
                     queries["api_cases_list"], queries["api_case_detail"], queries["api_case_detail_repeat"],
                     queries["browser_cases_list"], queries["dashboard"]])
    return _table(["cases", "policy median ms", "policy p95 ms", "column ms", "guardian ms",
                   "guardian ÷ policy (same phase)", "guardian ÷ policy",
                   "API list queries", "API detail (writes audit)", "API detail again", "browser list", "dashboard"],
                  rows)


def _readers(final: dict) -> str:
    rows = [[label, value["username"], f"{value['visible_share']:.2%}", value["policy"]["median_ms"],
             value["policy"]["p95_ms"], value["previous_policy"]["median_ms"]]
            for label, value in final["other_readers"].items()]
    return _table(["reader", "user", "sees", "policy median ms", "policy p95 ms", "before issue 4, median ms"], rows)


def _whole_set(final: dict) -> str:
    labels = {"count_visible_policy": "count every case the officer sees, policy",
              "count_visible_previous_policy": "the same count, policy before issue 4",
              "browser_list_sorted_by_title": "browser list sorted by title (`/cases/?sort=title`), first page"}
    return _table(["query", "median ms", "runs"],
                  [[labels[name], value["median_ms"], value["runs"]] for name, value in final["whole_set"].items()])


def _hooks(summary: dict) -> str:
    return "\n".join(f"- `{name}`: {summary[name].get('status')}"
                     + ("" if summary[name].get("status", "").startswith("not") else f" — {summary[name]}")
                     for name in ("notification_fanout",))


def _machine(machine: dict) -> str:
    pg = machine["postgresql"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    return (f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, Linux {machine['kernel']}, "
            f"Python {machine['python']}; PostgreSQL {pg['server_version']} with the server's settings untouched "
            f"(shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, effective_cache_size "
            f"{pg['effective_cache_size']}, jit {pg['jit']}); {packages}; {machine['wrk']}.")


def _python_cost(final: dict) -> str:
    cost = final["python_build_compile_ms"]
    return (f"{cost['policy']} ms for our policy, {cost['previous_policy']} ms for the policy before issue 4 "
            f"(ORM subqueries) and {cost['column']} ms for the column filter")


def _counts_seen(final: dict) -> str:
    seen = [f"{count['request']} ({'capped' if count['capped'] else 'EXACT'})" for count in final["count_statements"]]
    return ", ".join(seen) or "none"


def _audit(summary: dict) -> str:
    http, audit = summary["http"], summary["audit_cost"]
    separate, interleaved, paired = audit["separate_rounds"], audit.get("interleaved"), audit.get("paired")
    text = (f"With a write on every request (each a first consultation) the detail serves "
            f"{http['api_case_detail']['rps']} req/s in rounds of its own, without the audit step "
            f"{http['api_case_detail_without_audit']['rps']} req/s: {separate['throughput']:.1%} of the throughput "
            f"({audit['detail_rps_without_over_with_audit']}x), and {separate['median_latency']:.1%} on the median "
            f"latency ({http['api_case_detail']['p50_ms']} against {http['api_case_detail_without_audit']['p50_ms']} ms). "
            f"Repeated views within the hour only check for the record "
            f"({http['api_case_detail_repeated']['rps']} req/s).")
    if interleaved:
        per_round = ", ".join(f"{cost:.1%}" for cost in interleaved["throughput_cost_per_round"])
        text += (f"\n\nInterleaved under the same gunicorn and wrk ({interleaved['pairs']:,} pairs in "
                 f"{interleaved['rounds']} runs of {interleaved['seconds']} s: on every connection the audited and the "
                 f"audit-free detail of one case, back to back): mean latency {interleaved['with_audit_ms']['mean']} "
                 f"against {interleaved['without_audit_ms']['mean']} ms, so **{interleaved['throughput_cost']:.1%}** of "
                 f"the throughput (per run: {per_round}); median {interleaved['with_audit_ms']['median']} against "
                 f"{interleaved['without_audit_ms']['median']} ms, **{interleaved['median_latency_cost']:.1%}**; "
                 f"median difference within a pair {interleaved['paired_difference_ms']} ms.")
    if paired:
        text += (f"\n\nPaired in process ({paired['samples']} cases, each requested once with and once without the "
                 f"audit step, in alternating order): the record adds a median **{paired['paired_difference_ms']} ms** "
                 f"to a {paired['without_audit_ms']} ms request, **{paired['cost']:.1%}**.")
    judged = "the interleaved and the paired measures" if interleaved else "every measure"
    return text + (f"\n\nTarget: under {summary['targets']['audit_cost_max']:.0%} by {judged}: "
                   f"{'met' if summary['targets_met']['audit_write_under_10_percent'] else 'NOT met'}.")


def _when(results: dict) -> str:
    """When the run started and which code it measured (runs before these were recorded say nothing)."""
    said = f" started {results['started_at']}" if results.get("started_at") else ""
    code = results.get("code")
    if code:
        said += f", code at commit {code['commit']}"
        if code.get("changed_outside_bench"):
            said += f" with uncommitted changes to {', '.join(code['changed_outside_bench'])}"
        elif code.get("exported"):
            said += " (exported with `git archive`, plus this bench/)"
    return said


def markdown(summary: dict, results: dict) -> str:
    from .report_matching import matching_markdown
    from .report_notes import DESIGN_NOTES, NOTICED

    final, phase = results["growth"][-1], results["http_phase"]
    guardian = final["guardian"]
    guardian_extra = [sql for sql in guardian["guardian_queries"] if "cases_case" not in sql]
    size = f"{summary['size']:,}"
    return f"""# Portcullis at {size} cases (issue 4)

Written by `make bench SIZE={summary['size']}`, one run{_when(results)}: {results['minutes']} minutes for
bench.run after bench.verify. The figures are also in `bench/results.json`. Medians unless said otherwise;
database times are PostgreSQL's own planning + execution time (EXPLAIN ANALYZE, TIMING OFF),
interleaved across variants.

{_headline(summary)}

## How to run

```sh
make bench                  # 100,000 cases (growth 10k -> 100k)
make bench SIZE=1000000     # 1M cases (growth 10k -> 100k -> 1M)
BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis_bench make bench   # the default
```

`make bench` installs the Python requirements and wrk (Debian package) if missing, checks that the bulk
generator writes what the services write (`python -m bench.verify`, a few hundred cases both ways into
`<database>_verify`, match keys included), then drops and recreates the bench database (only one whose
name contains `bench`) and runs `python -m bench.run --size N`. The matching section publishes Celery
tasks to Redis, as production does: `BENCH_REDIS_URL` (default `redis://127.0.0.1:6379/13`) names a
Redis database of the bench's own, which must be empty at the start and is emptied after each phase.

## Machine and load

{_machine(results['machine'])}
Everything (PostgreSQL, gunicorn, wrk) on the same 2 cores, shared with other engineers' test runs:

- start: {_load(results['load_at_start'])}
- database measurements at {size}: before {_load(final['load_before'])}; after {_load(final['load_after'])}
- HTTP: before {_load(phase['load_before'])}; after {_load(phase['load_after'])}

Ratios are measured in the same phase so the load weighs on both sides; absolute times move with it.

## Data

Generated in bulk (COPY), the rows the services would write: agencies and members through the services
(members sit in their agency's group), cases over 12 customs agencies (Rotterdam 32%), about 10% shared
with a second agency (a CaseShare plus cumulative guardian group permissions; half are referrals to the
national prosecutor at contribute), 1% opened to named users (a CaseGrant plus cumulative guardian user
permissions; 0.6% restricted, with the creator as named manager), seizures, identifiers, parties (with
their match keys: section 5), route legs, notes, and the audit records of creation and disclosure. The officer measured is `rtm.officer` (NL-CUS-RTM).

{_data(results)}

## 1. The case-list query at {size} cases

First page of 50, newest seizure first, for `rtm.officer`. "Our policy" is the SQL GET /api/v1/cases/
runs (checked: identical to the SQL captured from the API request: {final['api_sql_is_timed_sql']}),
including the caller's access level and the owning and referred agencies.

{_variants(final)}

Stock guardian is measured on the same grants: guardian knows no owning agency, so a typical project
grants `view_case` on each case to its owner's group; for that phase {guardian['owner_grant_rows_added']:,}
such rows were added next to the shares and named grants and removed afterwards. Guardian and our policy
then answer alike (same first page: {guardian['same_first_page']}; visible cases: guardian
{guardian['visible_by_guardian']:,}, policy {guardian['visible_by_policy']:,}).

`get_objects_for_user(user, "cases.view_case", Case)` with its defaults used guardian's direct-FK tables
(CaseUserObjectPermission, CaseGroupObjectPermission) and produced this list query (page slice added):

```sql
{guardian['guardian_sql']}
```

Before it, guardian's global-permission check (`user.has_perm`) ran {len(guardian_extra)} more queries
(not timed above). The guardian figures the issue quotes (0.4–1 s) are for its generic tables, whose
text `object_pk` must be cast for every row; with the direct-FK tables this project ships, guardian hashes
every case the user's group may view (a third of all cases) before it can return a page. Its plan at
this size:

```
{guardian.get('guardian_plan', '')}
```

Our policy's plan:

```
{final['plans']['policy']}
```

The column filter's plan:

```
{final['plans']['column']}
```

Python's share, before PostgreSQL sees a query: building and compiling the list query takes
{_python_cost(final)} (mean of 300 builds, no database).

## 2. End-to-end HTTP

gunicorn, {phase['workers']} sync workers, `bench.settings` (the project's settings with DEBUG off and the bench-only
URLs added), personal API token (`Authorization: Token`) or a session cookie for the browser list; wrk
on loopback, one thread, {phase['connections']} connections, {phase['rounds']} interleaved rounds of
{phase['seconds']} s per endpoint after a 2 s warm-up (twice as many for the three detail endpoints, whose
difference is the audit cost); medians over the rounds. The detail requests cycle through
{phase['detail_pool']:,} of the agency's newest cases.

{_http(phase)}

## 3. Growth

{_growth(summary, results)}

Queries per request are counted with Django's test client on the bench database after one warm-up
request (the first request of a process also resolves the content type and permission ids, once).
COUNT statements seen on these paths: {_counts_seen(final)}.

## 4. Audit cost

The case detail writes one consultation record per reader, case and hour. {_audit(summary)}

{matching_markdown(summary, results)}
## 6. Notification fan-out

{_hooks(summary)}

See `bench/hooks.py` for the hook contract and what it should measure.

## Other readers at {size} cases

{_readers(final)}

## Paths that evaluate the whole visible set (not hot paths)

{_whole_set(final)}

{DESIGN_NOTES}

{NOTICED}
"""
