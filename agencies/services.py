"""Writes for agencies and memberships."""
from django.contrib.auth import get_user_model
from django.db import transaction

from audit.models import Operation
from audit.services import audit_record

from .models import Agency, Membership, Role

User = get_user_model()


@transaction.atomic
def agency_upsert(*, actor, code: str, name: str, kind: str, country: str, active: bool = True) -> Agency:
    agency = Agency.objects.filter(code=code).first() or Agency(code=code)
    created = agency.pk is None
    wanted = {"name": name, "kind": kind, "country": country.upper(), "active": active}
    diff = {
        field: {"before": None if created else getattr(agency, field), "after": value}
        for field, value in wanted.items()
        if created or getattr(agency, field) != value
    }
    if not diff:
        return agency
    for field, value in wanted.items():
        setattr(agency, field, value)
    agency.full_clean()
    agency.save()
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION if created else Operation.ALTERATION,
        action="agency_upsert",
        object_type="agency",
        object_id=agency.code,
        case_agency=agency.code,  # filed under the agency: its auditors see it
        changes=diff,
    )
    return agency


@transaction.atomic
def membership_set_role(*, actor, user, agency: Agency, role: str) -> Membership:
    """Make `agency`/`role` the user's one active membership, retiring any other."""
    Role(role)  # rejects an unknown role with ValueError before anything is written
    current = Membership.objects.select_for_update().filter(user=user, active=True).first()
    if current and current.agency_id == agency.pk and current.role == role:
        return current
    before = {"agency": current.agency.code, "role": current.role} if current else {}
    if current:
        current.active = False
        current.save(update_fields=["active"])
    membership = Membership(user=user, agency=agency, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION if current else Operation.COLLECTION,
        action="membership_set_role",
        object_type="membership",
        object_id=membership.pk,
        recipient=user.get_username(),
        case_agency=agency.code,  # filed under the member's agency: its auditors see who joined
        changes={"before": before, "after": {"agency": agency.code, "role": role}},
    )
    return membership
