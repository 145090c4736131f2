"""Measurements that belong to features still being built: notification fan-out (issue 4,
point 5). Identifier matching (issue 14) has landed and is measured by bench.matching, in
its own section.

Each is a module in bench/ that the run imports if it exists:

    bench/notification_fanout.py   def measure(context: HookContext) -> dict

`measure` runs at the largest size, on the generated data, after the HTTP measurements,
and returns JSON-able figures (say what you measured in a "what" entry). They land under
their name in bench/results.json and in a section of bench/RESULTS.md. Until a module
exists its entry says "not measured" and no figure is made up.

What each should measure, once its issue has landed:
- notification fan-out: already has its own harness, `python -m bench.bench_notifications`
  (issue 7: one share fanned out to 1,000 recipients by one Celery worker; it needs Redis and
  starts its own worker and database, so it runs on its own and prints its figures). A
  `bench/notification_fanout.py` hook would fold a smaller version into this run, for
  instance one event on a case shared with the liaison bureau at 1M cases: time from the
  service call to the outbox rows, and the delivery task's time per recipient (each checked
  with cases.access.can at delivery time).
"""
import importlib
import importlib.util
from dataclasses import dataclass

HOOKS = {"notification_fanout": "bench.notification_fanout"}
ELSEWHERE = {"notification_fanout": "measured on its own by python -m bench.bench_notifications (issue 7)"}


@dataclass(frozen=True)
class HookContext:
    size: int
    officer: object  # the customs officer the list is measured for (rtm.officer)
    population: object  # bench.population.Population: agencies, their groups and members
    base_url: str | None = None  # a running gunicorn, when the hook wants HTTP


def run_hooks(context: HookContext) -> dict:
    results = {}
    for name, module_name in HOOKS.items():
        if importlib.util.find_spec(module_name) is None:
            missing = f"not measured in this run: {module_name.replace('.', '/')}.py does not exist yet"
            results[name] = {"status": "; ".join(filter(None, [missing, ELSEWHERE.get(name)]))}
            continue
        results[name] = {"status": "measured", **importlib.import_module(module_name).measure(context)}
    return results
