"""One run at a time sends an event's e-mails, and marks each one sent without a disk flush.

The lock is a PostgreSQL session advisory lock: it belongs to the run's database connection,
so a worker killed mid-batch loses it with its connection and the next run takes over,
resending at most the message that was in flight. (Row locks would need one transaction per
message, or one per batch that a kill rolls back, and the batch's sent messages with it.)

While it holds the lock the session commits without waiting for the WAL flush
(synchronous_commit off): otherwise each message's mark costs a disk flush, 1–6 ms, most of a
fan-out's time. A killed worker loses none of these commits (the server has them); a crash of
PostgreSQL itself may lose the last fraction of a second of marks, and those messages are sent
again under the same Message-ID, which a mail client recognises.
"""
from contextlib import contextmanager

from django.db import DatabaseError, connection

LOCK_NAMESPACE = 0x6E6F  # the first key of the two-key advisory lock space ('no', notifications)


@contextmanager
def sole_sender(event_id: int):
    """Yields True when this run holds the event's e-mail lock; False when another run does."""
    if connection.vendor != "postgresql":  # SQLite: one writer at a time, no advisory locks
        yield True
        return
    key = [LOCK_NAMESPACE, event_id % 2**31]  # 32-bit keys; a clash (2^31 events apart) only defers one to the sweep
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        if not cursor.fetchone()[0]:
            yield False
            return
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except DatabaseError:  # the connection is gone, and the lock with it
            pass
