import sys
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.models import AuditEvent
from audit.sealing import BATCH, seal_horizon, seal_pending
from audit.verification import verify


class Command(BaseCommand):
    help = ("Seal what is pending, then recompute the audit trail's hashes and chain since the last verified "
            "seal (--full: from the first record); exit 1 naming the first broken record.")

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true",
                            help="Only verify: leave records written since the last seal out of the chain.")
        parser.add_argument("--seal", action="store_true", help="Seal first: the default, kept for older scripts.")
        parser.add_argument("--full", action="store_true",
                            help="Recompute the whole trail, not only what was written since the last verified seal.")

    def handle(self, *args, no_seal: bool, seal: bool, full: bool, **options):
        if not no_seal:
            self.stdout.write(f"Sealed {self._seal_everything_written_so_far()} records.")
        result = verify(full=full)
        since = "" if result.since is None else f" since verified record {result.since}"
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"Audit trail intact: {result.events} records{since}, {result.sealed} sealed in the chain."))
            return
        self.stderr.write(self.style.ERROR(f"Audit trail BROKEN at {result.first_break}"))
        sys.exit(1)

    @staticmethod
    def _seal_everything_written_so_far() -> int:
        """Wait out the horizon for the newest record (a few seconds at most), then seal: from
        then on a deleted or re-inserted record breaks the chain, not only a changed one."""
        newest = AuditEvent.objects.order_by("-id").values_list("at", flat=True).first()
        if newest is not None:
            time.sleep(max(0.0, min((newest + seal_horizon() - timezone.now()).total_seconds(),
                                    seal_horizon().total_seconds())))
        sealed = 0
        while True:  # batch by batch: constant memory on a long unsealed tail
            batch = seal_pending(batch=BATCH)
            sealed += batch
            if batch < BATCH:
                return sealed
