"""Real processes for the reliability stories: Celery workers and a web server on the test database."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"Gave up after {timeout} s waiting for {what}.")


def process_env(**overrides) -> dict:
    """What a process needs to share this test's committed database, broker and queue."""
    db = settings.DATABASES["default"]
    database_url = (f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
                    f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="coordination.settings", DJANGO_DEBUG="false",
               DATABASE_URL=database_url, NOTIFICATIONS_QUEUE=settings.NOTIFICATIONS_QUEUE,
               MATCHING_QUEUE=settings.MATCHING_QUEUE, PYTHONUNBUFFERED="1")
    env.update({name: str(value) for name, value in overrides.items()})
    return env


class Worker:
    """`celery -A coordination worker` with one pool process, consuming this session's queue."""

    def __init__(self, log_path: Path, env: dict, queues: tuple[str, ...] = ()):
        self.log_path = log_path
        command = [sys.executable, "-m", "celery", "-A", "coordination", "worker", "--pool=prefork",
                   "--concurrency=1", "-Q", ",".join((settings.NOTIFICATIONS_QUEUE, *queues)), "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "-n", f"notifications-test-{uuid.uuid4().hex[:8]}@%h",
                   "--loglevel=INFO", f"--logfile={log_path}"]
        # Its own session (process group), so a kill reaches the pool process too.
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: " ready." in self.log() or self.process.poll() is not None, timeout=60,
                   what="the worker to start")
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL, no goodbye: unacknowledged messages stay with the broker."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class WebServer:
    """gunicorn serving the project, as in production."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "coordination.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1",
             "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        wait_until(self._answers, timeout=30, what="the web server to start")

    def _answers(self) -> bool:
        assert self.process.poll() is None, self.process.stderr.read().decode()
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(20)


def forget_queue(redis_url: str, queue: str) -> None:
    """Remove this session's queue from the shared Redis, with the messages a killed worker left
    unacknowledged (kombu keeps them as [message, exchange, routing key] under "unacked")."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hscan_iter("unacked"):
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
