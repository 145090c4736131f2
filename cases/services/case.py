"""Creating and editing a case."""
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role
from agencies.selectors import active_membership
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden, Conflict

from ..access import Action, can
from ..choices import HandlingCode, ShareLevel
from ..models import Case, CaseReferenceCounter
from ..search import refresh_search_document
from ..signals import case_created, case_updated
from ..validators import normalise_locode
from .guard import audited_case, case_for_write, ensure_still_visible, require
from .sharing import grant_named_user

CASE_CREATOR_ROLES = {Role.OFFICER, Role.LIAISON_OFFICER, Role.PROSECUTOR}
EDITABLE_FIELDS = (
    "title",
    "summary",
    "port",
    "seized_at",
    "handling_code",
    "h3_conditions",
    "source_reliability",
    "information_assessment",
    "legal_basis",
    "review_due",
    "restricted",
)
# The owning agency's own decisions (Action.GOVERN): a manager of another agency changes none.
OWNER_DECIDES = frozenset({"handling_code", "h3_conditions", "restricted"})
# Clock skew tolerated between an agency system and ours before a seizure time is "future".
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
# No case on the platform goes back further. Earlier times would also be shown in the local
# mean time of the day (Amsterdam's +00:19:32 before 1937), an offset RFC 3339 cannot write.
EARLIEST_SEIZURE = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
DEFAULT_RETENTION_REVIEW = datetime.timedelta(days=365)


def _next_reference(port: str, year: int) -> str:
    """NLRTM-2026-000042: the UPDATE holds the counter row's lock until commit, so no two
    concurrent transactions can draw the same number."""
    CaseReferenceCounter.objects.bulk_create(
        [CaseReferenceCounter(port=port, year=year)], ignore_conflicts=True
    )
    CaseReferenceCounter.objects.filter(port=port, year=year).update(last=F("last") + 1)
    number = CaseReferenceCounter.objects.values_list("last", flat=True).get(port=port, year=year)
    return f"{port}-{year}-{number:06d}"


def _validate_case(case: Case) -> None:
    errors: dict[str, list[str]] = {}
    try:
        case.full_clean(exclude=["reference"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if case.seized_at and "seized_at" not in errors and case.seized_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("seized_at", []).append(_("The seizure time cannot be in the future."))
    if case.seized_at and "seized_at" not in errors and case.seized_at < EARLIEST_SEIZURE:
        errors.setdefault("seized_at", []).append(_("The seizure time cannot be before 1970."))
    if case.handling_code == HandlingCode.H3 and not (case.h3_conditions or "").strip():
        errors.setdefault("h3_conditions", []).append(_("An H3 case needs its handling conditions."))
    if case.handling_code != HandlingCode.H3 and (case.h3_conditions or "").strip():
        errors.setdefault("h3_conditions", []).append(_("Handling conditions belong only to H3 cases."))
    if errors:
        raise ValidationError(errors)


def _normalise_port(value) -> str:
    try:
        return normalise_locode(value)
    except ValidationError as exc:
        raise ValidationError({"port": exc.messages}) from None


@transaction.atomic
def case_create(
    *,
    actor,
    title: str,
    port: str,
    seized_at: datetime.datetime,
    handling_code: str,
    legal_basis: str,
    summary: str = "",
    h3_conditions: str = "",
    source_reliability: str = "",
    information_assessment: int | None = None,
    restricted: bool = False,
    review_due: datetime.date | None = None,
    justification: str = "",
) -> Case:
    membership = active_membership(actor)
    if membership is None or membership.role not in CASE_CREATOR_ROLES:
        raise ActionForbidden(_("Only officers, liaison officers and prosecutors open cases."))
    case = Case(
        owner_agency=membership.agency,
        owner_code=membership.agency.code,
        title=title,
        summary=summary,
        port=_normalise_port(port),
        seized_at=seized_at,
        handling_code=handling_code,
        h3_conditions=h3_conditions,
        source_reliability=source_reliability,
        information_assessment=information_assessment,
        legal_basis=legal_basis,
        restricted=restricted,
        review_due=review_due or (timezone.localdate() + DEFAULT_RETENTION_REVIEW),
        created_by=actor,
    )
    _validate_case(case)
    case.reference = _next_reference(case.port, timezone.localdate().year)
    case.save(force_insert=True)
    refresh_search_document(case.pk)
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        action="case_create",
        object_type="case",
        object_id=case.pk,
        justification=justification.strip(),
        **audited_case(case),
    )
    if restricted:
        # A restricted case opens to named users only: its creator first.
        grant_named_user(actor=actor, case=case, user=actor, level=ShareLevel.MANAGE)
    ensure_still_visible(actor=actor, case=case)
    case_created.send(sender=Case, actor=actor, case=case)
    return case


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value if value is None or isinstance(value, bool | int | str) else str(value)


@transaction.atomic
def case_update(*, actor, case_id, version: int, justification: str = "", **changes: Any) -> Case:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CHANGE)
    if version != case.version:
        raise Conflict(
            _("The case was changed by someone else (now version %(current)s); reload and apply your changes again.")
            % {"current": case.version},
            code="version_conflict",
        )
    if "port" in changes:
        changes["port"] = _normalise_port(changes["port"])
    diff = {}
    for name, new in changes.items():
        old = getattr(case, name)
        setattr(case, name, new)
        if old != new:
            diff[name] = {"before": _jsonable(old), "after": _jsonable(new)}
    if diff.keys() & OWNER_DECIDES:
        require(actor=actor, action=Action.GOVERN, case=case)
    _validate_case(case)
    if not diff:
        return case
    case.version += 1
    case.save()
    if diff.keys() & {"title", "summary"}:
        refresh_search_document(case.pk)
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        action="case_update",
        object_type="case",
        object_id=case.pk,
        justification=justification,
        changes=diff,
        **audited_case(case),
    )
    if diff.get("restricted", {}).get("after") is True and not can(actor, Action.VIEW, case):
        # Restricting a case must not lock out the officer who restricts it.
        grant_named_user(actor=actor, case=case, user=actor, level=ShareLevel.MANAGE)
    ensure_still_visible(actor=actor, case=case)
    case_updated.send(sender=Case, actor=actor, case=case, changes=diff)
    return case
