from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.demo import DEMO_USERS, seed_cast
from cases.demo import seed_cases
from cases.demo_prosecution import seed_prosecution
from cases.services.matching import hits_rematch_all


class Command(BaseCommand):
    help = "Create or refresh the demo agencies, users and cases. Safe to run again: nothing is created twice."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password set on every demo user, on every run.")

    def handle(self, *args, password: str, **options):
        if settings.PRODUCTION:
            # The demo holds a superuser and agency staff sharing one password: never on a real platform.
            raise CommandError("seed_demo refuses to run in production (DJANGO_ENV=production).")
        with transaction.atomic():
            users = seed_cast(password=password)
            created = seed_cases(users=users) + seed_prosecution(users=users)
            # The demo's hits whether or not a worker runs the matching tasks (a no-op when it did).
            hits_rematch_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} new cases."))
        self.stdout.write("Demo logins (password as given):")
        for spec in DEMO_USERS:
            where = f"{spec.agency} · {spec.role}" if spec.agency else "platform superuser"
            self.stdout.write(f"  {spec.username:<16} {where}")
