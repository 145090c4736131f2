"""Reads of notifications data: each user reads only their own inbox, admins only their agency's webhooks."""
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, UUIDField, Value, When
from django.utils.translation import gettext as _

from agencies.models import Agency, Role
from agencies.selectors import active_membership
from cases.access import Action, visible_cases
from cases.models import Case
from coordination.errors import ActionForbidden, NotVisible

from .kinds import Kind
from .models import (
    CaseFollow,
    EmailMode,
    EmailPreference,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def inbox(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first. `visible_case` is the case id only while the user
    can still see the case: a link never outlives the access it was sent under."""
    # Probed per notification, never by gathering the whole visible set (a third of a million
    # cases for a customs officer at scale; bench/RESULTS.md).
    still_visible = Exists(visible_cases(user, Action.VIEW).filter(pk=OuterRef("case_id")))
    return Notification.objects.filter(recipient_id=user.pk).annotate(
        visible_case=SqlCase(When(still_visible, then=F("case_id")), default=Value(None),
                             output_field=UUIDField())
    ).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def own_notification(*, user, notification_id) -> Notification:
    try:
        return inbox(user=user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None


def email_preferences(*, user) -> dict[str, str]:
    """Every kind with the user's e-mail mode for it: at once unless chosen otherwise."""
    chosen = dict(EmailPreference.objects.filter(user_id=user.pk).values_list("kind", "mode"))
    return {kind: chosen.get(kind, EmailMode.IMMEDIATE) for kind in Kind.values}


def is_following(*, user, case_id) -> bool:
    return CaseFollow.objects.filter(user_id=user.pk, case_id=case_id, following=True).exists()


def admin_agency(user) -> Agency:
    """The agency whose webhooks `user` administers; only agency admins have one."""
    membership = active_membership(user)
    if membership is None or membership.role != Role.AGENCY_ADMIN:
        raise ActionForbidden(_("Webhooks are managed by agency administrators."), code="agency_admins_only")
    return membership.agency


def agency_webhook_endpoints(*, user) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(agency=admin_agency(user)).select_related("agency")


def agency_webhook_endpoint(*, user, endpoint_id) -> WebhookEndpoint:
    try:
        return agency_webhook_endpoints(user=user).get(pk=endpoint_id)
    except (WebhookEndpoint.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return (WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
            .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id"))))


def cases_with_review_due(*, on_or_before: datetime.date) -> QuerySet[Case]:
    """A system read for the retention task: ids and dates only. Who hears of each is decided
    at delivery, through the access policy."""
    return Case.objects.filter(review_due__lte=on_or_before).only("id", "review_due").order_by("review_due", "id")
