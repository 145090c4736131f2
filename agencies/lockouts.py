"""Login lockouts of an agency's members, for the agency's own admins.

django-axes counts failed logins per username and address and locks the pair once it reaches
AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME (settings). An admin sees the locked pairs of the
people of their own agency only, and lifts them with Axes' own reset; another agency's member,
or a username that is nobody's, is a 404.
"""
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from audit.models import Operation
from audit.services import audit_record
from coordination.errors import NotVisible

from .selectors_admin import administered_agency, agency_members


@dataclass(frozen=True)
class Lockout:
    member_id: int
    username: str
    ip_address: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime


def _locked_pairs(usernames):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
            .values("username", "ip_address")
            .annotate(failures=Sum("failures_since_start"), last_failure_at=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last_failure_at", "username"))


def agency_lockouts(*, actor) -> list[Lockout]:
    """The locked-out username and address pairs of the actor's agency's members."""
    members = dict(agency_members(agency=administered_agency(actor)).values_list("user__username", "user_id"))
    return [Lockout(member_id=members[row["username"]], username=row["username"], ip_address=row["ip_address"],
                    failures=row["failures"], last_failure_at=row["last_failure_at"],
                    locked_until=row["last_failure_at"] + settings.AXES_COOLOFF_TIME)
            for row in _locked_pairs(members)]


@transaction.atomic
def member_lockout_lift(*, actor, username: str) -> None:
    """Lift every lockout of one member of the actor's agency (from any address); audited.
    NotVisible (404) for anyone else, and for a member who is not locked out."""
    agency = administered_agency(actor)
    member = agency_members(agency=agency).filter(user__username=username).select_related("user").first()
    locked = list(_locked_pairs([username])) if member else []
    if not locked:
        raise NotVisible()
    axes_reset(username=username)
    audit_record(actor=actor, operation=Operation.ALTERATION, action="member_lockout_lift", object_type="user",
                 object_id=member.user_id, recipient=username,
                 changes={"addresses": sorted(row["ip_address"] or "" for row in locked),
                          "failures": sum(row["failures"] for row in locked)})
