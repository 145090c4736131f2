"""The parts of bench/RESULTS.md that explain rather than measure. Figures quoted here that
the run does not produce itself are marked as exploration: measured once at 1M cases on
the same machine while the design was chosen, with `SELECT *` instead of the full list
query (so without the access-level column and the agency joins)."""

DESIGN_NOTES = """## What changed in the access policy, and why

Guardian stays the source of truth: the policy reads guardian's direct-FK tables and nothing
else, and the sharing services are unchanged. What changed is the SQL `cases/access.py` builds:

1. **The owning agency is a column test, first.** PostgreSQL evaluates the arms of an OR in order
   and stops at the first true one, so the third of the cases the officer owns costs no lookup.
2. **An agency's grants are probed per row,** with a correlated `EXISTS` on guardian's unique
   (group, permission, case) index: an index-only lookup for each of the ~150 rows a first page
   reads. Before, `id IN (SELECT …)` made PostgreSQL read and hash every grant the agency holds on
   every page (5,900 for Rotterdam, 29,000 for the liaison bureau at 1M). The subquery also tests the
   outer `restricted` column; PostgreSQL can only turn an `EXISTS` into a hash when all its outer
   references are equalities, so this keeps the probe a probe. `tests/test_access_scale.py` pins it.
3. **Named grants stay a set** (`id IN (SELECT … WHERE user_id = … AND permission_id = …)`): a
   user has a handful, hashed once per query, and when they are all a user has (agency admins)
   PostgreSQL starts from them.
4. **Permission ids are resolved once per process**, not joined from `auth_permission` in each of
   the seven subqueries. The cache is tied to Django's own cached ContentType object, so a flush
   (transactional tests) makes it look them up again.
5. **These tests are written as SQL in one small expression (`_GrantSql`)**, with the case's
   columns still ORM expressions (table aliases in subqueries stay right). Built as ORM subqueries,
   Django spent more Python building and compiling the list query than PostgreSQL spent running
   it (section 1 has both figures); that was the difference between ~52% and ~70% of the bare
   endpoint's throughput in a first in-process try at 20k cases.
6. **The API case detail loads notes with their authors** (`cases/selectors.py`): it made one query
   per note author before, so its query count grew with the notes (found by this bench; pinned in
   `tests/test_access_scale.py`).

### Tried and rejected

In this run (table in section 1): the policy before issue 4, and a plain `EXISTS` with permission ids
resolved once, which PostgreSQL turns into the same hash of all the agency's grants.

Exploration at 1M, first-page `SELECT *` in ms (officer / liaison / prosecutor / police / small customs):

| form | rtm.officer | liaison | prosecutor | police | GR customs |
|---|---|---|---|---|---|
| `id IN` grant sets (before) | 1.12 | 8.4 | 3.6 | 59 | 1.2 |
| plain `EXISTS` (hashed by PostgreSQL) | 1.01 | 8.6 | 4.9 | 58 | 1.3 |
| same, permission id as a scalar subquery instead of a cached id | 1.30 | 10.4 | 5.2 | 61 | 1.7 |
| **per-row `EXISTS` (chosen)** | **0.29** | **3.0** | 6.4 | 89 | 4.3 |
| per-row via `OFFSET 0` fence | 0.32 | 4.1 | 7.7 | 101 | 6.1 |
| `LEFT JOIN` the grant tables, test `IS NOT NULL` | 0.60 | 5.4 | 7.6 | 87 | 6.9 |
| one `id IN (owned UNION ALL shared UNION ALL named)` | 2,429 | 341 | 172 | 39 | 198 |

- The union is the "one `id__in` subquery" DESIGN.md describes; PostgreSQL hashes the whole union
  (a third of a million ids for the officer). Rejected.
- A denormalised access table kept in step by the sharing services was not built: in this query
  shape it would be probed exactly as guardian's unique index is probed now. It pays off only with
  a different shape (merging per-holder lists ordered by seizure time), which cursor pagination and
  the list filters cannot compose with. Row-level security was not tried: it needs the caller's
  identity on pooled connections and does the same per-row work.
- Per-row probing is not free for readers who see few cases (see "Other readers"): a small customs
  office and the police pay more than with hashing. The chosen form wins where the volume is: the
  large agencies' officers and analysts, the liaison bureau and the prosecutors.
"""

NOTICED = """## Noticed, left alone

- **Readers who see very few cases pay for the per-row probes.** A police officer who sees ~0.3%
  of the cases makes the newest-first scan read some 20,000 rows before it has a page, with either
  policy form; per-row probing adds to that (see "Other readers": the police officer and the small
  Greek customs office are slower than before issue 4, everyone else faster). Any plan that starts
  from the ordered seizure index has this floor; fixing it needs a query shape that starts from the
  grants for such readers (for instance a per-agency list of granted cases ordered by seizure time,
  merged with the owned ones). Worth its own issue; I did not want a second SQL form in the access
  policy chosen by a guess about the reader.
- **Whole-set evaluations got slower.** Counting every case the officer sees now probes per row
  (see the whole-set table: about 3x the hashed form). No hot path does this. The notification
  inbox did (`case_id__in=visible_cases(user)`); it now asks per notification with `Exists`.
- **The browser list sorts the whole visible set** when sorted by anything but seizure time (see
  the whole-set table for `?sort=title`), and pages with OFFSET (`?page=N` reads N×25 rows). Cursor
  pages or indexed sorts only would keep it flat.
- **PostgreSQL runs with its defaults** (shared_buffers 128MB) while the 1M case table is 713 MB (the
  whole bench database 3.8 GB); heap reads come from the OS cache. A production-sized buffer pool
  makes the scans cheaper, for guardian as for us.
- **Stock guardian also asks `user.has_perm` first**: Django's permission cache, two more queries per
  request, not counted in its time above.
- **The generator leaves out** the audit records of part additions and workflow steps (the services
  write them; no measured path reads them) and the notification outbox rows (notifications is
  landing now); `bench/hooks.py` is where fan-out and matching measurements plug in.
- **The consultation record is one statement on every database** (issue 13): `case_consult`
  checks what must come first (H3 acknowledgement, justification) and then sends one
  `INSERT … SELECT … WHERE NOT EXISTS` (`audit_record_once_per_session`), on its own round trip,
  before the detail reads any part (`case_get`'s `before_parts`). So the API detail runs one
  statement more than before issue 13 (section 3). Two ways of saving time on it were removed:
  the PL/pgSQL function `audit_record_once`, whose plan PostgreSQL kept (migration 0005, dropped
  by 0007), and the "ride-along", a one-shot `execute_wrapper` that prepended the call to the
  detail's first part query so that psycopg2 sent both as one message. When they were built
  (exploration at 1M cases, paired in process, on a quiet machine; not this run) they saved
  0.08 ms (0.86 against 0.94 ms per first view) and 0.14 ms (0.79 against 0.93 ms on a 12.5 ms
  request): about 0.2 ms together, for three code paths, arguments bound to the model's field
  order and a wrapper that rewrote another query's SQL. The last run with both (1M cases, commit
  327a731, load about 1–2) measured the record at 4.9% of the throughput and 5.3% of the median
  latency interleaved, 4.9% (1.08 ms on 21.9 ms) paired; section 4 has this run's figures for
  the single statement.
- **Where the record's cost goes** (the same exploration, not this run): about 0.1 ms of Python
  (the values, the content hash); the round trip, 0.14 ms on an idle machine (a `SELECT 1` in its
  place); the statement on the server, about 0.27 ms sent as SQL; and the commit, which now must
  flush the WAL: 0.35 ms at the bench's request rate against 0.15 ms back to back, because an idle
  virtual disk and CPU answer slower. The audit-free detail commits a read-only transaction,
  which flushes nothing. `wal_sync_method = open_datasync` and `wal_compression` did not change
  that flush; the 8 KB full-page image the insert usually carries costs no measurable time. What
  remains is what any synchronous, durable write pays. `synchronous_commit = off` would remove the
  flush but could lose a record whose data was already shown, so the bench keeps PostgreSQL's
  defaults.
- **The 2026-11-28 run's machine flushes slowly, and that is what the record costs there**
  (measured in process right after the 1M run, commit aff0a93, same database and load; these
  figures are not produced by bench.run). The record's statement with its Python took 0.67 ms
  (median of 1,000), the COMMIT after it 3.09 ms, against 0.02 ms for the commit of a read-only
  transaction; `pg_test_fsync` gives 3.2 ms per 8 KB `fdatasync` on this disk (about 310 a
  second), ten times the earlier machine's 0.35 ms flush. So three quarters of the ~4 ms the
  record adds is the WAL flush. The PL/pgSQL form, rebuilt as a temporary function (with
  `case_agency`) and timed against the single statement in rolled-back transactions, alternating,
  was 0.09 ms quicker (0.15 against 0.25 ms, 1,400 pairs); a bare round trip (`SELECT 1`) took
  0.03 ms, which is what the ride-along saved. Restoring both would take back under 0.2 ms of the
  ~4 ms. Because the flush is a fixed cost, the percentages move with the request's own time:
  the other engineers' test runs (load 5–6 on 2 cores) slowed the detail to 38–60 ms over HTTP,
  which makes the interleaved share smaller, and the in-process request (18–28 ms) makes the
  paired share larger. Two `python -m bench.audit_cost` runs on the same database right after
  (6 rounds of 10 s each) measured, interleaved, 9.1% and 5.9% of the throughput and 8.5% and
  7.1% of the median latency (within-pair difference 4.04 and 3.92 ms); paired, 4.10 ms on
  17.7 ms (23.2%) and 4.04 ms on 23.9 ms (16.9%).
- **The grouping check visits only its own session's records** (migration 0006: the session comes
  before the time in the case index). Before, a case consulted through other tokens in the last hour
  (every wrk round here uses a fresh token) made the check read each of those records from the table.
- **Each timed phase starts after a `CHECKPOINT`**, as pgbench does: otherwise the background
  checkpoint of the gigabytes just generated competes with the requests being timed, and with the
  audit write's WAL flush most.
- **The audit cost is a difference of a few per cent** on a machine where wrk, gunicorn and
  PostgreSQL share two cores; single wrk rounds of the same endpoint vary by up to 10%, and the
  machine drifts between rounds (in one run the audit-free rounds went from 152 to 138 req/s while
  the audited ones held at 128–136). So the target is judged by measures that take both sides at
  the same moments: wrk with the audited and the audit-free detail of one case back to back on
  every connection (bench/wrk/interleaved.lua, one connection per wrk thread, each request timed),
  and the paired in-process figure. The separate rounds are still reported.
  `python -m bench.audit_cost` measures only this, on the database a run left behind.
- `make bench` uses BENCH_DATABASE_URL, not DATABASE_URL, so that a DATABASE_URL exported for the
  test suite is never the database the bench drops.
"""

MATCHING_NOTES = """### What the generator writes for matching

For every identifier and party, the match keys `index_case_part` writes: `cases.matching`'s
`identifier_keys` and `party_keys` on the generated values, under the same MATCHING_KEY.
`bench.verify` writes 300 cases both ways and compares every key with its kind, owning agency and
source (and the identifier and party values). The values (`bench/plan.py`, `RECURRENCE`) are of
three sorts:

- **Most occur in one case only**: each case number has its own container, bill of lading, seal,
  EORI, phone, suspect (name and date of birth) and companies (a made-up five-syllable name with its
  registration).
- **A few per cent recur in a few cases**: 3% of containers, 0.5% of bills of lading, 10% of IMO
  and EORI numbers, 4% of phones, 3% of companies and of persons are drawn from a pool of their own
  for each block of 10,000 consecutive cases, sized so that such a value is held by about three
  cases (mostly 2–5, rarely up to 10) at every size. The owners are drawn as for any case, so most
  pairs are of two agencies. Companies recur under other spellings (`… B.V.`, `… BV`, upper case)
  that fingerprint alike; recurring phones are typed `0034 6xx …` and stored in E.164.
- **A handful are frequent**: the ten big carriers and forwarders (2% of company parties), eight
  large vessels (5% of IMO numbers) and three Rotterdam switchboards (3% of phones), held by 30 cases
  or more already at 10,000 cases and by up to 3,951 at 1M, far above MATCHING_MAX_CASES (20).
- Seals never recur. IMO numbers have a million values (six digits and a check digit); the unique
  ones take 900,000, so from 900,000 cases on a few "unique" vessels recur, as a real fleet's would.
  Phones are new to the generator (30% of cases), so a case now holds 2.85 identifiers, not 2.4.

At 1M cases: 6.25 million keys, 6.0 million distinct; 98.8% of the distinct keys are held by one case,
73,605 (1.2%) by 2–20 cases (66,428 of them by two agencies or more), 31 by more than 20. 169,396 cases
(17%) then have at least one hit: 488,030 hit rows, one per side and key.

### What changed outside bench/, and why

- **An index on hits, newest first** (`hit_newest_first` on `(created_at DESC, id DESC)`, migration
  `cases/migrations/0007_hit_newest_first.py`). GET /api/v1/hits/ pages newest first over the hits of
  the caller's agency; with only `(case, created_at)`, PostgreSQL read and sorted every hit for each
  page (exploration at 1M cases and 488,030 hits, before this run: 394 ms median, an external merge
  sort on disk). With the index it walks the hits newest first and tests each for the caller, as the
  case list does: 9 ms in that exploration, and the page figure above in this run, of which most is
  planning the access policy's subqueries.
- The matching SQL (`cases/services/matching.py`) is unchanged: see the next section.

### Tried and not applied

- **A cheaper candidate set for the re-match.** Its INSERT … SELECT groups every key with
  `COUNT(DISTINCT case_id)`; `case_id` is not in the `(key, owner_agency)` index, so PostgreSQL reads
  all 6.25 million rows from the table in key order (the plan above: 5.6 million buffer reads, 19 of
  its 25 s). A key gives a hit only when two agencies hold it, and that test needs only the index:
  `GROUP BY key HAVING min(owner_agency_id) <> max(owner_agency_id)` is an index-only scan (3.1 s in
  an exploration at 1M); counting the distinct cases of the ~66,000 keys that pass, through the index
  (`AND (SELECT COUNT(DISTINCT c.case_id) FROM cases_matchkey c WHERE c.key = k.key) <= 20`), gives the
  same hits in 16.3 s where the current statement took 36.5 s in the same exploration (a busier
  machine than this run). Written as a second `IN` over the candidates, PostgreSQL expected 1.4
  million candidates instead of 66,000 and merge-joined them against the whole table: 41.4 s. The
  same pre-filter (`COUNT(*) > 20`, index-only, before the distinct count) would shorten the
  withdrawal of frequent keys (~20 s at 1M) in the same way. Not applied: the nightly run meets its
  goal as it is, the first run's time is not in its SQL, and others were changing this code while I
  measured. It is the first thing to do when the nightly run nears its limit: it grew 25-fold from
  100,000 to 1M cases (nothing missing: 1.8 s to 45.5 s) once the key-ordered reads of the table
  stopped finding it in shared buffers.
- A covering index `(key) INCLUDE (case_id)` would make the same pass index-only without touching
  the SQL, at the price of another ~700 MB index written with every identifier and party; not tried,
  since the identifier POST is already just under its goal.

### Noticed, left alone

- **The first re-match over existing data misses 5 minutes, and not because of its SQL**: at 1M its
  INSERT … SELECT takes half a minute, the after-work the rest (~1.4 ms per hit in this run, 1.8 ms on
  a busier machine in the exploration). For each new hit, `_insert_hits` writes its audit record and
  its outbox row (in a savepoint, for the dedupe key) and, after the commit, publishes one delivery
  task: four statements and a publication per hit, all in one transaction (about 6 GB in the process
  at 1M). It happens once, when matching is switched on over existing cases, or after the hits are
  lost; the nightly run only creates what the matching tasks missed. Writing the audit records and
  outbox rows in batches and publishing one delivery task per batch would bring it to minutes; that
  is the audit's and the notifications' code, not matching's SQL.
- **The identifier POST misses 90%**: 89% interleaved (runs from 88% to 91%), 86% in separate
  rounds. Matching adds 1.2 ms to a ~10.5 ms request
  (median within a pair, interleaved): in process, 0.35 ms to write the key (HMAC and one more
  INSERT, into a table with six indexes) and 0.43 ms to publish the task on commit, the rest in the
  larger transaction. The matching key table carries single-column indexes on `owner_agency`,
  `identifier` and `party` besides `(key, owner_agency)` and `case`; no matching query filters on
  `owner_agency` alone (Django adds that index to every foreign key; it serves the PROTECT check when
  an agency is deleted). Dropping it is not an index to add, so I left it; so are the task's
  publication and the extra statement, which are what "enqueued on commit" means.
- **The hits page serves about 55% of the bare endpoint's throughput** (the case list: 71% in this
  run, its goal 60%; the issue sets none for hits). Of its ~6 ms in PostgreSQL, ~4 ms is planning:
  the access policy's subqueries appear three times, for the caller's cases and twice for "is the
  other case visible" (`shown_status`'s CASE repeats the `EXISTS` of `other_visible`; SubPlans 3 and
  8 in the plan above are the same).
- **Hits created by one re-match share one `created_at`**, so the newest-first order among them
  falls back to the id.
- **The per-case task counts the holders of the case's frequent keys each time**
  (`withdraw_frequent_hits` before the insert): a case naming one of the big carriers counts its
  ~3,900 holders. Its median stays in milliseconds (table above).
"""
