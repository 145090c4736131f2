"""Exhibits and their chain of custody (issue 16): add an exhibit, append a custody event.

Both run under the case row lock (case_for_write), so exhibit numbers and the exhibit's
current holder cannot race. Custody events are only ever inserted; a correction is a new
event naming the event it corrects.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Operation
from audit.services import audit_record
from coordination.errors import Conflict, NotVisible

from ..access import Action
from ..models import Case, CustodyEvent, Exhibit, ExhibitStatus, SeizureItem
from ..models_custody import FINAL_PURPOSES
from ..signals import case_part_added, exhibit_seal_broken
from .guard import audited_case, case_for_write


def _next_number(case: Case) -> str:
    # The case row is locked and exhibits are never removed one by one: the count is the last number.
    return f"EX-{Exhibit.objects.filter(case=case).count() + 1:03d}"


@transaction.atomic
def exhibit_add(*, actor, case_id, description: str, holder: str, location: str, seal_number: str = "",
                seizure=None, justification: str = "") -> Exhibit:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    seizure_item = None
    if seizure:
        seizure_item = SeizureItem.objects.filter(case=case, pk=seizure).first()
        if seizure_item is None:
            raise ValidationError({"seizure": [_("This case holds no such seizure.")]})
    exhibit = Exhibit(case=case, number=_next_number(case), description=description, seal_number=seal_number,
                      seizure=seizure_item, holder=holder, location=location, created_by=actor)
    exhibit.full_clean()
    exhibit.save(force_insert=True)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        action="exhibit_add",
        object_type="exhibit",
        object_id=exhibit.pk,
        changes={"number": exhibit.number},
        justification=justification.strip(),
        **audited_case(case),
    )
    case_part_added.send(sender=Case, actor=actor, case=case, part=exhibit, part_type="exhibit")
    return exhibit


@transaction.atomic
def custody_record(*, actor, case_id, exhibit_id, to_holder: str, to_location: str, purpose: str,
                   seal_intact: bool, note: str = "", corrects=None, justification: str = "") -> CustodyEvent:
    """Append a custody event: the exhibit moves from its current holder and location to the
    new ones. 409 once the exhibit is returned or destroyed."""
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    try:
        exhibit = Exhibit.objects.select_for_update().get(pk=exhibit_id, case=case)
    except (Exhibit.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None
    if exhibit.status != ExhibitStatus.HELD:
        raise Conflict(_("This exhibit is %(status)s: its chain of custody is closed.")
                       % {"status": exhibit.get_status_display().lower()}, code="custody_closed")
    corrected = None
    if corrects:
        corrected = CustodyEvent.objects.filter(exhibit=exhibit, pk=corrects).first()
        if corrected is None:
            raise ValidationError({"corrects": [_("Name an earlier custody event of this exhibit.")]})
    latest = CustodyEvent.objects.filter(exhibit=exhibit).order_by("-recorded_at", "-id").first()
    # A correction restates the corrected move: it starts where that event started.
    event = CustodyEvent(
        exhibit=exhibit,
        from_holder=corrected.from_holder if corrected else exhibit.holder,
        from_location=corrected.from_location if corrected else exhibit.location,
        to_holder=to_holder,
        to_location=to_location,
        purpose=purpose,
        seal_intact=seal_intact,
        note=note,
        corrects=corrected,
        recorded_by=actor,
    )
    event.full_clean()
    event.save(force_insert=True)
    changed = []
    # The exhibit is where its last move took it: a correction of an older event changes history only.
    if corrected is None or (latest is not None and corrected.pk == latest.pk):
        exhibit.holder, exhibit.location = to_holder, to_location
        changed += ["holder", "location"]
    if purpose in FINAL_PURPOSES:
        exhibit.status = FINAL_PURPOSES[purpose]
        changed.append("status")
    seal_newly_broken = not seal_intact and not exhibit.seal_broken
    if seal_newly_broken:
        exhibit.seal_broken = True
        changed.append("seal_broken")
    if changed:
        exhibit.save(update_fields=changed)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        action="custody_record",
        object_type="exhibit",
        object_id=exhibit.pk,
        changes={"event": str(event.pk), "purpose": purpose, "seal_intact": seal_intact,
                 **({"corrects": str(corrected.pk)} if corrected else {})},
        justification=justification.strip(),
        **audited_case(case),
    )
    case_part_added.send(sender=Case, actor=actor, case=case, part=event, part_type="custody_event")
    if seal_newly_broken:
        exhibit_seal_broken.send(sender=Case, actor=actor, case=case, exhibit=exhibit, event=event)
    return event
