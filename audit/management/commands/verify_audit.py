import sys

from django.core.management.base import BaseCommand

from audit.sealing import seal_pending
from audit.verification import verify_trail


class Command(BaseCommand):
    help = "Recompute the audit trail's hashes and chain; exit 1 naming the first broken record."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="Seal pending records (past the horizon) first.")

    def handle(self, *args, seal: bool, **options):
        if seal:
            self.stdout.write(f"Sealed {seal_pending()} records.")
        result = verify_trail()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"Audit trail intact: {result.events} records, {result.sealed} sealed in the chain."))
            return
        self.stderr.write(self.style.ERROR(f"Audit trail BROKEN at {result.first_break}"))
        sys.exit(1)
