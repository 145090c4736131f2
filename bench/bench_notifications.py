"""Fan-out of one event to 1,000 recipients with one Celery worker: time and cost per notification.

Rotterdam customs shares a case with a liaison bureau of N officers. One outbox row commits
with the share; one worker process (prefork, one pool process) resolves the N recipients
through the access policy, writes N inbox items and sends N e-mails (Django's file-based
backend, so every message is really rendered and written). Timed from the share's commit to
the event's `delivered_at`, with e-mail at once and, for comparison, with e-mail off.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portcullis_bench_notifications \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.bench_notifications [--recipients 1000] [--runs 3]

The database (its name must contain "bench") is dropped and created fresh; the Redis queue
is this run's own and is deleted at the end. The goal (issue 17) is under 2 s for 1,000 (issue 7 had 10 s).
"""
import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.database import migrate, recreate_database, setup_django

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portcullis_bench_notifications"
GOAL_SECONDS = 2.0


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coordination", "worker", "--pool=prefork", "--concurrency=1",
         "-Q", env["NOTIFICATIONS_QUEUE"], "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"bench-notifications-{uuid.uuid4().hex[:8]}@%h", "--loglevel=INFO", f"--logfile={log_path}"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while " ready." not in (log_path.read_text() if log_path.exists() else ""):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"The worker did not start:\n{log_path.read_text() if log_path.exists() else ''}")
        time.sleep(0.1)
    return worker


def add_liaison_officers(count: int) -> list:
    from django.contrib.auth import get_user_model

    from agencies.models import Agency
    from agencies.services import membership_set_role

    agency = Agency.objects.get(code="EU-LIA")
    officers = []
    for number in range(count):
        user = get_user_model().objects.create_user(username=f"bench.liaison.{number:04d}",
                                                    email=f"bench.liaison.{number:04d}@portcullis.example")
        membership_set_role(actor=None, user=user, agency=agency, role="liaison_officer")
        officers.append(user)
    return officers


def share_once(owner, timeout: float) -> dict:
    """Share a new case with the bureau and wait until its event is delivered."""
    from django.utils import timezone

    from cases.services import case_create, case_share
    from notifications.kinds import Kind
    from notifications.models import DeliveryStatus, EmailDelivery, Notification, OutboxEvent

    case = case_create(actor=owner, title="Bench: cocaine in bananas", port="NLRTM", handling_code="H0",
                       seized_at=timezone.now() - datetime.timedelta(days=1), legal_basis="Art. 46 UCC")
    started = time.perf_counter()
    case_share(actor=owner, case_id=case.pk, agency_code="EU-LIA", level="view")  # commits, then enqueues
    committed = time.perf_counter()
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    while not OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=False).exists():
        if time.perf_counter() - committed > timeout:
            raise SystemExit(f"Event {event.pk} not delivered after {timeout} s.")
        time.sleep(0.02)
    finished = time.perf_counter()
    return {
        "commit_s": committed - started,
        "delivered_s": finished - committed,
        "inbox": Notification.objects.filter(event=event).count(),
        "emails": EmailDelivery.objects.filter(notification__event=event, status=DeliveryStatus.SENT).count(),
    }


def report(label: str, runs: list[dict], recipients: int) -> None:
    seconds = [run["delivered_s"] for run in runs]
    median = statistics.median(seconds)
    print(f"\n{label}")
    for number, run in enumerate(runs, start=1):
        print(f"  run {number}: commit {run['commit_s'] * 1000:6.1f} ms"
              f" | commit -> delivered {run['delivered_s']:6.2f} s | inbox {run['inbox']} | e-mails {run['emails']}")
    print(f"  median {median:.2f} s for {recipients} recipients = {median / recipients * 1000:.2f} ms per notification"
          f" ({'within' if median < GOAL_SECONDS else 'OVER'} the {GOAL_SECONDS:.0f} s goal)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL: the bench measures a real worker on a real broker.")
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    queue = f"bench-notifications-{uuid.uuid4().hex[:8]}"
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-notifications-mail-"))
    os.environ.update(NOTIFICATIONS_QUEUE=queue, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                      EMAIL_FILE_PATH=str(mail_dir))
    recreate_database(url)
    setup_django(url)
    migrate()

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from agencies.demo import seed_cast
    from notifications.kinds import Kind
    from notifications.models import EmailMode, EmailPreference

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = seed_cast(password="bench-notifications-password")["rtm.officer"]
    officers = add_liaison_officers(args.recipients - 1)  # plus the demo liaison officer
    recipients = args.recipients
    assert get_user_model().objects.filter(memberships__agency__code="EU-LIA", memberships__active=True).count() \
        == recipients

    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="coordination.settings", DJANGO_DEBUG="false",
               EMAIL_FILE_PATH=str(mail_dir))
    worker = start_worker(env, mail_dir.parent / f"{queue}.log")
    try:
        share_once(owner, timeout=120)  # warm-up: imports, connections, template loading
        with_email = [share_once(owner, timeout=120) for _ in range(args.runs)]
        EmailPreference.objects.bulk_create([EmailPreference(user=user, kind=Kind.CASE_SHARED, mode=EmailMode.OFF)
                                             for user in [*officers, get_user_model().objects.get(
                                                 username="liaison.officer")]])
        inbox_only = [share_once(owner, timeout=120) for _ in range(args.runs)]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"_kombu.binding.{queue}",
                                                             f"_kombu.binding_permanent.{queue}")
    print(f"Fan-out of one share to {recipients} recipients, one worker (prefork, 1 process), "
          f"PostgreSQL {url.rsplit('@', 1)[-1]}, Redis {os.environ['REDIS_URL']}")
    report("Inbox item + e-mail at once (file-based backend) per recipient:", with_email, recipients)
    report("Inbox item only (e-mail off):", inbox_only, recipients)
    print(f"\n{len(list(mail_dir.iterdir()))} e-mail files written to {mail_dir}")


if __name__ == "__main__":
    main()
