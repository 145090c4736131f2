"""CSV export of an auditor's trail. An export is itself consulted data: it needs a reason
where policy says so, and is recorded before the first row leaves."""
import csv

from django.db import transaction
from django.utils.translation import gettext as _

from coordination.errors import ActionForbidden

from .context import actor_agency_and_role, export_needs_justification
from .models import Operation
from .services import audit_record

COLUMNS = ["id", "at", "operation", "action", "actor_username", "actor_agency", "actor_role", "object_type",
           "object_id", "case_id", "handling_code", "justification", "recipient", "request_id", "ip_address"]


class _Echo:
    def write(self, value):
        return value


@transaction.atomic
def audit_export_start(*, actor, filters: dict, justification: str) -> None:
    """Check the justification and record the export; raises ActionForbidden without one."""
    justification = (justification or "").strip()
    if not justification and export_needs_justification(actor):
        raise ActionForbidden(_("State why you export the audit trail: your agency's policy asks for a "
                                "justification on every export."), code="justification_required")
    agency, _role = actor_agency_and_role(actor)
    audit_record(actor=actor, operation=Operation.CONSULTATION, action="audit_export", object_type="audit_trail",
                 object_id=agency, justification=justification, changes={"filters": filters})


# A cell a spreadsheet would read as a formula (CSV injection): a justification or user name
# is typed by users, and the file is opened by auditors.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value`, with a leading apostrophe where a spreadsheet would run it as a formula (OWASP)."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_rows(events):
    """The header and one line per record, streamed in chunks (constant memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events.order_by("id").iterator(chunk_size=2000):
        yield writer.writerow([spreadsheet_safe(getattr(event, column)) if column != "at" else event.at.isoformat()
                               for column in COLUMNS])
