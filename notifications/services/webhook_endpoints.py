"""Agency admins register their systems' webhook URLs. Each change is in the audit trail:
where case events go is a disclosure setting."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Operation
from audit.services import audit_record

from ..kinds import Kind
from ..models import WebhookEndpoint
from ..selectors import admin_agency, agency_webhook_endpoint
from ..webhook_addresses import url_refusal
from ..webhooks import new_secret


def _clean_url(url: str) -> str:
    schemes = settings.NOTIFICATIONS_WEBHOOK_SCHEMES
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        raise ValidationError({"url": [_("Give a full URL starting with %(schemes)s.")
                                       % {"schemes": " or ".join(f"{scheme}://" for scheme in schemes)}]}) from None
    refusal = url_refusal(url)  # loopback, private, link-local, metadata...; checked again at each delivery
    if refusal:
        raise ValidationError({"url": [refusal]})
    return url


def _clean_kinds(kinds) -> list[str]:
    unknown = sorted(set(kinds) - set(Kind.values))
    if unknown:
        raise ValidationError({"kinds": [_("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}]})
    return sorted(set(kinds))


def _audit(actor, operation: str, action: str, endpoint: WebhookEndpoint, changes: dict) -> None:
    audit_record(actor=actor, operation=operation, action=action, object_type="webhook_endpoint",
                 object_id=endpoint.pk, recipient=endpoint.agency.code, changes=changes)


@transaction.atomic
def webhook_endpoint_register(*, actor, url: str, description: str = "", kinds=()) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for the admin's agency, and its signing secret (shown to the admin once)."""
    agency = admin_agency(actor)
    endpoint = WebhookEndpoint(agency=agency, url=_clean_url(url), description=description,
                               kinds=_clean_kinds(kinds), secret=new_secret(), created_by=actor)
    endpoint.full_clean()
    endpoint.save()
    _audit(actor, Operation.COLLECTION, "webhook_endpoint_register", endpoint,
           {"url": endpoint.url, "kinds": endpoint.kinds})
    return endpoint, endpoint.secret


@transaction.atomic
def webhook_endpoint_update(*, actor, endpoint_id, url: str | None = None, description: str | None = None,
                            kinds=None, active: bool | None = None) -> WebhookEndpoint:
    endpoint = agency_webhook_endpoint(user=actor, endpoint_id=endpoint_id)
    wanted = {"url": None if url is None else _clean_url(url), "description": description,
              "kinds": None if kinds is None else _clean_kinds(kinds), "active": active}
    diff = {}
    for field, value in wanted.items():
        if value is not None and getattr(endpoint, field) != value:
            diff[field] = {"before": getattr(endpoint, field), "after": value}
            setattr(endpoint, field, value)
    if diff:
        endpoint.full_clean()
        endpoint.save()
        _audit(actor, Operation.ALTERATION, "webhook_endpoint_update", endpoint, diff)
    return endpoint


@transaction.atomic
def webhook_endpoint_remove(*, actor, endpoint_id) -> None:
    endpoint = agency_webhook_endpoint(user=actor, endpoint_id=endpoint_id)
    _audit(actor, Operation.ERASURE, "webhook_endpoint_remove", endpoint, {"url": endpoint.url})
    endpoint.delete()
