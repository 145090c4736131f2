"""Keep each agency's Django group in step with its active members.

Connected as signals so that every writer (services, admin, fixtures) keeps the groups
true; the access policy itself reads memberships, the groups serve guardian and admin.
"""
from django.db.models.signals import post_delete, post_save

from .models import Agency, Membership
from .selectors import forget_membership


def sync_agency_groups(user) -> None:
    agency_groups = user.groups.filter(agency__isnull=False)
    active = Membership.objects.filter(user=user, active=True, agency__active=True).select_related("agency").first()
    wanted = {active.agency.group_id} if active else set()
    stale = [group for group in agency_groups if group.id not in wanted]
    if stale:
        user.groups.remove(*stale)
    if wanted - {group.id for group in agency_groups}:
        user.groups.add(*wanted)
    forget_membership(user)


def membership_changed(sender, instance: Membership, **kwargs) -> None:
    sync_agency_groups(instance.user)


def agency_changed(sender, instance: Agency, **kwargs) -> None:
    for membership in instance.memberships.select_related("user"):
        sync_agency_groups(membership.user)


def connect() -> None:
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="agencies.membership_saved")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid="agencies.membership_deleted")
    post_save.connect(agency_changed, sender=Agency, dispatch_uid="agencies.agency_saved")
