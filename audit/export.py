"""Export of the sealed trail to an external sink as JSON lines, resumable and exactly once.

Only sealed records are exported: they are final and in order, so "everything after the last
exported id" never skips a record that commits late. The file sink also reads its own last
line on start, so a crash between writing and saving the cursor does not export twice.
"""
import json
import logging.handlers
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import AuditEvent, AuditExportCursor, AuditSeal

BATCH = 1000


def event_line(event: AuditEvent) -> str:
    return json.dumps({
        "id": event.id, "at": event.at.isoformat(), "operation": event.operation, "action": event.action,
        "actor": {"username": event.actor_username, "agency": event.actor_agency, "role": event.actor_role},
        "object": {"type": event.object_type, "id": event.object_id, "case": str(event.case_id or "") or None},
        "handling_code": event.handling_code, "justification": event.justification, "recipient": event.recipient,
        "changes": event.changes, "request_id": event.request_id, "ip": event.ip_address,
        "content_hash": event.content_hash,
    }, sort_keys=True, ensure_ascii=False)


class FileSink:
    def __init__(self, path: str):
        self.path = Path(path)

    @property
    def name(self) -> str:
        return f"file:{self.path}"

    def last_written_id(self) -> int:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0
        with self.path.open("rb") as handle:
            handle.seek(max(0, self.path.stat().st_size - 65536))
            lines = [line for line in handle.read().splitlines() if line.strip()]
        return json.loads(lines[-1])["id"] if lines else 0

    def write(self, lines: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())


class SyslogSink:
    """At-least-once: a crash between sending and saving the cursor resends that batch; each
    line carries its record id so the receiver can drop repeats."""

    def __init__(self, address: str):
        self.address = address
        host, _, port = address.partition(":")
        target = address if address.startswith("/") else (host, int(port or 514))
        self.handler = logging.handlers.SysLogHandler(address=target)

    @property
    def name(self) -> str:
        return f"syslog:{self.address}"

    def last_written_id(self) -> int:
        return 0

    def write(self, lines: list[str]) -> None:
        for line in lines:
            self.handler.emit(logging.makeLogRecord({"msg": f"portcullis-audit {line}", "levelno": logging.INFO}))


def configured_sink():
    target = getattr(settings, "AUDIT_EXPORT_SINK", "")
    if target.startswith("file:"):
        return FileSink(target.removeprefix("file:"))
    if target.startswith("syslog:"):
        return SyslogSink(target.removeprefix("syslog:"))
    return None


def export_pending(sink, *, batch: int = BATCH) -> int:
    """Send the sealed records the sink has not had yet; returns how many were sent."""
    sent = 0
    while True:
        with transaction.atomic():
            cursor, _created = AuditExportCursor.objects.select_for_update().get_or_create(sink=sink.name)
            start = max(cursor.last_event_id, sink.last_written_id())
            sealed_until = AuditSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first() or 0
            events = list(AuditEvent.objects.filter(id__gt=start, id__lte=sealed_until).order_by("id")[:batch])
            if not events:
                if cursor.last_event_id != start:
                    cursor.last_event_id = start
                    cursor.save(update_fields=["last_event_id", "updated_at"])
                return sent
            sink.write([event_line(event) for event in events])
            cursor.last_event_id = events[-1].id
            cursor.save(update_fields=["last_event_id", "updated_at"])
            sent += len(events)
