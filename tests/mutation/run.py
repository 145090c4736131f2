"""`make mutate`: mutation testing of the access policy (issue 13). Not part of `make test`.

1. Copies the work tree (tracked and untracked files, not ignored ones; or, with MUTATE_REV, a
   commit) to a throw-away folder, MUTATE_DIR (/tmp/portcullis-mutate). Nothing is written to
   the checkout.
2. mutmut mutates cases/access.py and cases/services/guard.py (setup.cfg, [mutmut]) and runs,
   for each mutant, the policy tests that reach the mutated function, fastest first, stopping
   at the first failure. The cast is seeded once per run (tests/mutation/snapshot.py), on
   SQLite.
3. mutmut mutates code inside functions only, and a string only as a whole. The policy's
   tables (role caps, action levels, the roles with agency access) are module-level data, and
   its grant probes are SQL text; TABLE_MUTANTS below mutate those by hand (the issue's two
   surviving mutants among them), each run against the same tests.
4. Prints the figures and every surviving mutant; exits 1 if any mutant survived.

MUTATE_JOBS: mutants run at once (default: the number of cores). Always on SQLite, whatever
DATABASE_URL says (CI runs the same tests on PostgreSQL).
"""
import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class TableMutant:
    path: str
    why: str
    original: str
    mutated: str


TABLE_MUTANTS = [
    # The two that survived issue 13's review.
    TableMutant("cases/access.py", "agency share probe ignores restriction",
                " and not {restricted})", ")"),
    TableMutant("cases/access.py", "auditor cap raised to view",
                "Role.AUDITOR: Level.NONE,", "Role.AUDITOR: Level.VIEW,"),
    # The rest of the role caps and the roles that reach their agency's cases.
    TableMutant("cases/access.py", "analyst cap raised to contribute",
                "Role.ANALYST: Level.VIEW,", "Role.ANALYST: Level.CONTRIBUTE,"),
    TableMutant("cases/access.py", "agency admin cap lowered to manage",
                "Role.AGENCY_ADMIN: Level.OWNER,", "Role.AGENCY_ADMIN: Level.MANAGE,"),
    TableMutant("cases/access.py", "prosecutor cap lowered to contribute",
                "Role.PROSECUTOR: Level.OWNER,", "Role.PROSECUTOR: Level.CONTRIBUTE,"),
    TableMutant("cases/access.py", "liaison officer cap lowered to manage",
                "Role.LIAISON_OFFICER: Level.OWNER,", "Role.LIAISON_OFFICER: Level.MANAGE,"),
    TableMutant("cases/access.py", "agency admins reach their agency's cases",
                "Role.PROSECUTOR, Role.ANALYST}", "Role.PROSECUTOR, Role.ANALYST, Role.AGENCY_ADMIN}"),
    TableMutant("cases/access.py", "analysts no longer reach their agency's cases",
                "Role.PROSECUTOR, Role.ANALYST}", "Role.PROSECUTOR}"),
    # What each action needs.
    TableMutant("cases/access.py", "contributing needs only view",
                "Action.CONTRIBUTE: Level.CONTRIBUTE,", "Action.CONTRIBUTE: Level.VIEW,"),
    TableMutant("cases/access.py", "changing needs only contribute",
                "Action.CHANGE: Level.MANAGE,", "Action.CHANGE: Level.CONTRIBUTE,"),
    TableMutant("cases/access.py", "sharing needs only contribute",
                "Action.SHARE: Level.MANAGE,", "Action.SHARE: Level.CONTRIBUTE,"),
    TableMutant("cases/access.py", "a workflow step needs manage",
                "Action.TRANSITION: Level.CONTRIBUTE,", "Action.TRANSITION: Level.MANAGE,"),
    TableMutant("cases/access.py", "the owner's decisions need only manage",
                "Action.GOVERN: Level.OWNER,", "Action.GOVERN: Level.MANAGE,"),
]


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name) or default


def copy_tree(target: Path) -> None:
    """The work tree as it is (or MUTATE_REV's tree) in `target`, without .git, the venv or
    anything ignored."""
    if target == CHECKOUT or target in CHECKOUT.parents or target == Path(target.anchor):
        sys.exit(f"MUTATE_DIR={target} would hold the checkout: choose a folder of its own")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    rev = _env("MUTATE_REV")
    if rev:
        archive = subprocess.run(["git", "archive", rev], cwd=CHECKOUT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        return
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=CHECKOUT, check=True, capture_output=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def selected_tests(tree: Path) -> list[str]:
    parser = configparser.ConfigParser()
    parser.read(tree / "setup.cfg")
    return parser.get("mutmut", "pytest_add_cli_args_test_selection").split()


def mutmut(tree: Path, env: dict, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "mutmut"), *args], cwd=tree, env=env, text=True,
                          capture_output=capture, check=False)


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def mutmut_run(tree: Path, env: dict, jobs: int) -> None:
    """`mutmut run`, its spinner thinned out to one line per phase and a progress line every 30 s."""
    process = subprocess.Popen([str(BIN / "mutmut"), "run", "--max-children", str(jobs)], cwd=tree, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buffer, last, shown, last_progress = "", None, None, 0.0
    for chunk in iter(lambda: process.stdout.read1(65536), b""):
        buffer += chunk.decode(errors="replace")
        *segments, buffer = buffer.replace("\r", "\n").split("\n")
        for segment in segments:
            line = segment.strip().lstrip(SPINNER).strip()
            if not line or line == last:
                continue
            progress = line.split(" ", 1)[0]
            if "/" in progress and progress.replace("/", "").isdigit():
                if time.monotonic() - last_progress < 30:
                    last = line
                    continue
                last_progress = time.monotonic()
            print(f"    {line}", flush=True)
            last = shown = line
    if buffer.strip():
        print(f"    {buffer.strip()}")
    if last != shown:
        print(f"    {last}")
    if process.wait() != 0:
        sys.exit(f"mutmut run failed (exit {process.returncode}): see its output above")


def run_mutmut(tree: Path, env: dict, jobs: int) -> tuple[dict, list[str]]:
    mutmut_run(tree, env, jobs)
    mutmut(tree, env, "export-cicd-stats", capture=True)
    stats_file = tree / "mutants" / "mutmut-cicd-stats.json"
    if not stats_file.exists():
        sys.exit("mutmut did not finish: no figures (see its output above)")
    figures = json.loads(stats_file.read_text())
    listing = mutmut(tree, env, "results", capture=True).stdout
    not_killed = [line.strip() for line in listing.splitlines() if line.strip()]
    return figures, not_killed


def check_table_mutants(tree: Path) -> None:
    """Each hand-written mutant must still apply to the code, once: checked before the long run."""
    for mutant in TABLE_MUTANTS:
        if (tree / mutant.path).read_text().count(mutant.original) != 1:
            sys.exit(f"table mutant “{mutant.why}” no longer applies to {mutant.path}: "
                     f"update TABLE_MUTANTS in tests/mutation/run.py")


def run_table_mutants(tree: Path, env: dict) -> list[tuple[TableMutant, str]]:
    """Each hand-written mutant on the copy's own source (not mutmut's), against the same tests."""
    command = [str(BIN / "python"), "-m", "pytest", "-x", "-q", "--no-header", "-p", "no:cacheprovider",
               "-p", "tests.mutation.snapshot", *selected_tests(tree)]
    results = []
    for mutant in TABLE_MUTANTS:
        path = tree / mutant.path
        source = path.read_text()
        path.write_text(source.replace(mutant.original, mutant.mutated))
        try:
            started = time.monotonic()
            outcome = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
        finally:
            path.write_text(source)
        status = {0: "survived", 1: "killed"}.get(outcome.returncode, f"error (pytest exit {outcome.returncode})")
        if outcome.returncode not in (0, 1):
            print(outcome.stdout[-3000:], outcome.stderr[-3000:])
        print(f"    {status:>8}  {mutant.why}  ({time.monotonic() - started:.0f} s)", flush=True)
        results.append((mutant, status))
    return results


def main() -> int:
    started = time.monotonic()
    tree = Path(_env("MUTATE_DIR", str(Path(tempfile.gettempdir()) / "portcullis-mutate"))).resolve()
    jobs = int(_env("MUTATE_JOBS", str(os.cpu_count() or 2)))
    # SQLite, whatever DATABASE_URL says: each mutant's session has a database of its own.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "coordination.settings"
    shm = Path("/dev/shm")
    snapshot = Path(tempfile.mkdtemp(prefix="portcullis-mutate-", dir=shm if shm.is_dir() else None))
    env["MUTATE_SNAPSHOT"] = str(snapshot)

    print(f"Copying the work tree to {tree}")
    copy_tree(tree)
    check_table_mutants(tree)
    try:
        print("mutmut over cases/access.py and cases/services/guard.py")
        figures, not_killed = run_mutmut(tree, env, jobs)
        print("Table mutants (module-level data and SQL text, which mutmut does not mutate)")
        table = run_table_mutants(tree, env)
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)

    table_killed = sum(1 for _mutant, status in table if status == "killed")
    # mutmut lists every mutant not killed as "name: status"; a timeout is caught, if slowly.
    survivors = [line for line in not_killed if not line.endswith(": timeout")]
    survivors += [f"table mutant: {mutant.why}: {status}" for mutant, status in table if status != "killed"]
    minutes, seconds = divmod(round(time.monotonic() - started), 60)

    print()
    print("Mutation testing of the access policy")
    print(f"  mutmut:  {figures['total']} mutants, {figures['killed']} killed, {figures['survived']} survived, "
          f"{figures['timeout']} timeouts, {figures['no_tests']} without tests, {figures['suspicious']} suspicious, "
          f"{figures['skipped']} skipped")
    print(f"  table mutants: {len(table)} mutants, {table_killed} killed, {len(table) - table_killed} survived")
    print(f"  run time: {minutes} min {seconds:02d} s ({jobs} at a time)")
    if survivors:
        print()
        print("Not killed:")
        for line in survivors:
            print(f"  {line}")
            if not line.startswith("table mutant") and not line.endswith(": not checked"):
                print(mutmut(tree, env, "show", line.split(":")[0], capture=True).stdout)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
