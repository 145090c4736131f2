"""Case references stay unique when many officers open cases at the same moment."""
import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from agencies.demo import seed_cast
from cases.models import Case
from cases.services import case_create

WRITERS = 6
CASES_EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_case_creation_never_repeats_a_reference():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the race only exists on PostgreSQL")
    users = seed_cast(password="concurrency-test-pw")
    officers = [users["rtm.officer"], users["liaison.officer"], users["anr.officer"]]
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(officer):
        try:
            barrier.wait()
            for number in range(CASES_EACH):
                case_create(actor=officer, title=f"Race {number}", port="NLRTM", handling_code="H0",
                            seized_at=timezone.now() - datetime.timedelta(hours=1), legal_basis="Art. 46 UCC")
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(officers[i % len(officers)],)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = Case.objects.filter(title__startswith="Race ").values_list("reference", flat=True)
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    # Unique and without gaps: every writer drew the next number, none drew the same one.
    assert numbers == list(range(numbers[0], numbers[0] + WRITERS * CASES_EACH))
