"""Adding seizures, identifiers, parties, route legs and notes to a case."""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.models import Operation
from audit.services import audit_record

from ..access import Action
from ..choices import UNITS_FOR_DRUG
from ..models import Case, CasePart, Identifier, Note, Party, RouteLeg, SeizureItem
from ..search import refresh_search_document
from ..signals import case_part_added
from ..validators import normalise_identifier, normalise_locode
from .guard import audited_case, case_for_write
from .matching import index_case_part


def save_case_part(*, actor, case: Case, part: CasePart, part_type: str, changes: dict | None = None,
                   justification: str = "") -> CasePart:
    part.case = case
    part.created_by = actor
    part.full_clean()
    part.save(force_insert=True)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        action=f"{part_type}_add",
        object_type=part_type,
        object_id=part.pk,
        changes=changes,
        justification=justification.strip(),
        **audited_case(case),
    )
    case_part_added.send(sender=Case, actor=actor, case=case, part=part, part_type=part_type)
    return part


@transaction.atomic
def seizure_add(
    *,
    actor,
    case_id,
    drug: str,
    quantity: Decimal | str,
    unit: str,
    form: str = "",
    packages: int | None = None,
    brick_marking: str = "",
    purity: Decimal | str | None = None,
    concealment: str = "",
    detection: str = "",
    transport_mode: str = "",
    justification: str = "",
) -> SeizureItem:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    try:
        quantity = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": [_("Give the quantity as a number, e.g. 12.5.")]}) from None
    allowed_units = UNITS_FOR_DRUG.get(drug)
    if allowed_units is not None and unit not in allowed_units:
        raise ValidationError(
            {"unit": [_("%(unit)s is not a unit for %(drug)s; use one of: %(units)s.")
                      % {"unit": unit, "drug": drug, "units": ", ".join(sorted(allowed_units))}]}
        )
    item = SeizureItem(
        drug=drug,
        form=form,
        quantity=quantity,
        unit=unit,
        packages=packages,
        brick_marking=brick_marking,
        purity=purity,
        concealment=concealment,
        detection=detection,
        transport_mode=transport_mode,
    )
    return save_case_part(actor=actor, case=case, part=item, part_type="seizure", justification=justification)


@transaction.atomic
def identifier_add(*, actor, case_id, kind: str, value: str, override_reason: str = "",
                   justification: str = "") -> Identifier:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    try:
        normalised = normalise_identifier(kind, value, override_reason, region=case.owner_agency.country)
    except ValidationError as exc:
        field = "kind" if exc.code == "invalid_kind" else "value"
        raise ValidationError({field: exc.messages}) from None
    if Identifier.objects.filter(case=case, kind=kind, value=normalised.value).exists():
        raise ValidationError({"value": [_("This case already holds %(value)s.") % {"value": normalised.value}]})
    identifier = Identifier(
        kind=kind,
        raw_value=value.strip(),
        value=normalised.value,
        override_reason=override_reason.strip() if normalised.check_digit_overridden else "",
    )
    changes = {"check_digit_override": override_reason.strip()} if normalised.check_digit_overridden else None
    save_case_part(actor=actor, case=case, part=identifier, part_type="identifier", changes=changes,
                   justification=justification)
    index_case_part(case=case, part=identifier)
    return identifier


@transaction.atomic
def party_add(
    *,
    actor,
    case_id,
    kind: str,
    role: str,
    name: str,
    date_of_birth: datetime.date | None = None,
    country: str = "",
    registration: str = "",
    justification: str = "",
) -> Party:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    party = Party(
        kind=kind,
        role=role,
        name=name,
        date_of_birth=date_of_birth,
        country=(country or "").upper(),
        registration=registration,
    )
    if party.kind == "company" and date_of_birth:
        raise ValidationError({"date_of_birth": [_("A company has no date of birth.")]})
    save_case_part(actor=actor, case=case, part=party, part_type="party", justification=justification)
    index_case_part(case=case, part=party)
    refresh_search_document(case.pk)
    return party


@transaction.atomic
def route_leg_add(*, actor, case_id, locode: str, role: str, date: datetime.date | None = None,
                  justification: str = "") -> RouteLeg:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    try:
        locode = normalise_locode(locode)
    except ValidationError as exc:
        raise ValidationError({"locode": exc.messages}) from None
    # The case row is locked, so the next sequence number cannot race.
    last = RouteLeg.objects.filter(case=case).aggregate(last=Max("sequence"))["last"] or 0
    leg = RouteLeg(locode=locode, role=role, date=date, sequence=last + 1)
    return save_case_part(actor=actor, case=case, part=leg, part_type="route_leg", justification=justification)


@transaction.atomic
def note_add(
    *, actor, case_id, text: str, source_reliability: str = "", information_assessment: int | None = None,
    justification: str = "",
) -> Note:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    note = Note(text=text, source_reliability=source_reliability, information_assessment=information_assessment)
    return save_case_part(actor=actor, case=case, part=note, part_type="note", justification=justification)
