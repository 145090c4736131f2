"""Who hears of an event, decided at delivery time.

Users are checked through the access policy (cases.access.users_who_can, the set version of
`can`: three queries for any number of recipients) when the worker delivers, not when the
event was recorded: access revoked in between means nothing is sent.
"""
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from agencies.models import Membership, Role
from agencies.selectors import active_membership
from cases.access import ROLES_WITH_AGENCY_ACCESS, Action, users_who_can
from cases.models import CaseShare

from .kinds import OWN_SIDE_ONLY, RULES, Audience, Check
from .models import CaseFollow, DeliveryStatus, Notification, OutboxEvent, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class Recipient:
    user: object
    names_case: bool  # whether the text may name the case (its reference and handling code)


def candidates(event: OutboxEvent) -> QuerySet:
    """Everyone the event is addressed to, before any check; never the actor."""
    rule = RULES[event.kind]
    condition = Q(pk__in=[int(pk) for pk in event.payload.get("users", [])])
    if Audience.FOLLOWERS in rule.audience and event.case_id:
        condition |= Q(pk__in=CaseFollow.objects.filter(case_id=event.case_id, following=True).values("user_id"))
    if Audience.AGENCY in rule.audience and event.agency_id:
        condition |= Q(pk__in=Membership.objects.filter(agency_id=event.agency_id, active=True).values("user_id"))
    if Audience.LIAISON in rule.audience and event.agency_id:
        condition |= Q(pk__in=Membership.objects.filter(agency_id=event.agency_id, active=True,
                                                        role=Role.LIAISON_OFFICER).values("user_id"))
    users = get_user_model().objects.filter(condition, is_active=True).order_by("pk")
    return users.exclude(pk=event.actor_id) if event.actor_id else users


def recipients(event: OutboxEvent) -> list[Recipient]:
    users = list(candidates(event))
    check = RULES[event.kind].check
    if check in (Check.SEES_CASE, Check.DECIDES, Check.ADDRESSED):
        action = Action.SHARE if check == Check.DECIDES else Action.VIEW
        allowed = users_who_can(users, action, event.case) if event.case_id else set()
        if check == Check.ADDRESSED:
            return [Recipient(user, user.pk in allowed) for user in users]
        return [Recipient(user, True) for user in users if user.pk in allowed]
    if check == Check.AUDITOR:
        return [Recipient(user, False) for user in users if _is_auditor(user, event)]
    return [Recipient(user, True) for user in _formerly_informed(users, event)]


def _is_auditor(user, event: OutboxEvent) -> bool:
    if event.agency_id is None:  # an alert about the platform itself
        return user.is_superuser
    membership = active_membership(user)
    return membership is not None and membership.role == Role.AUDITOR and membership.agency_id == event.agency_id


def _agency_holds_share(event: OutboxEvent) -> bool:
    return CaseShare.objects.filter(case_id=event.case_id, agency_id=event.agency_id).exists()


def _formerly_informed(users: list, event: OutboxEvent) -> list:
    """Members of the agency that lost its share who had been told of the case: the notice names
    a case they can no longer see, so only those who already knew it may have it."""
    if event.case_id is None or event.agency_id is None or _agency_holds_share(event):
        return []
    ids = [user.pk for user in users]
    knew = set(
        Notification.objects.filter(case_id=event.case_id, recipient_id__in=ids).exclude(event=event)
        .values_list("recipient_id", flat=True)
    ) | set(
        CaseFollow.objects.filter(case_id=event.case_id, user_id__in=ids, following=True)
        .values_list("user_id", flat=True)
    )
    still_members = set(Membership.objects.filter(
        user_id__in=knew, active=True, agency_id=event.agency_id, agency__active=True,
        role__in=ROLES_WITH_AGENCY_ACCESS).values_list("user_id", flat=True))
    return [user for user in users if user.pk in still_members]


def webhook_endpoints(event: OutboxEvent) -> list[WebhookEndpoint]:
    """The endpoints of the agencies concerned (the event's agency, the case's owner) that may hear
    of it. Auditor-only events never leave for agency systems."""
    if RULES[event.kind].check == Check.AUDITOR:
        return []
    agency_ids = {event.agency_id, event.case.owner_agency_id if event.case_id else None} - {None}
    if event.kind in OWN_SIDE_ONLY:
        agency_ids = {event.agency_id}
    endpoints = WebhookEndpoint.objects.filter(agency_id__in=agency_ids, active=True)
    return [endpoint for endpoint in endpoints if endpoint.wants(event.kind) and agency_may_hear(endpoint, event)]


def agency_may_hear(endpoint: WebhookEndpoint, event: OutboxEvent) -> bool:
    """Agency-level access: the access policy answers for users, and a whole agency sees a case
    it owns or holds a share of, never a restricted one (named users only)."""
    if event.case_id is None:
        return endpoint.agency_id == event.agency_id
    if RULES[event.kind].check == Check.FORMERLY_INFORMED:
        return (endpoint.agency_id == event.agency_id and not _agency_holds_share(event)
                and WebhookDelivery.objects.filter(endpoint=endpoint, event__case_id=event.case_id,
                                                   status=DeliveryStatus.SENT).exists())
    case = event.case
    if case.restricted:
        return False
    return case.owner_agency_id == endpoint.agency_id or CaseShare.objects.filter(
        case_id=case.pk, agency_id=endpoint.agency_id).exists()
