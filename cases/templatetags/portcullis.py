"""Small presentation helpers: colours always come with text, never instead of it."""
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from audit.models import Operation

from ..services.case import CASE_CREATOR_ROLES

register = template.Library()

HANDLING_CLASSES = {"H0": "handling-h0", "H1": "handling-h1", "H2": "handling-h2", "H3": "handling-h3"}
HANDLING_SHORT = {
    "H0": _("Law-enforcement use only"),
    "H1": _("No judicial use without the owner's permission"),
    "H2": _("No onward sharing without the owner's permission"),
    "H3": _("Conditions apply"),
}
STATUS_CLASSES = {
    "draft": "status-draft",
    "open": "status-open",
    "referred": "status-referred",
    "judicial": "status-judicial",
    "closed": "status-closed",
    "archived": "status-archived",
}
ACCESS_LABELS = {
    "owner": _("Owner"),
    "manage": _("Manage"),
    "contribute": _("Contribute"),
    "view": _("View"),
}
EVENT_LABELS = {
    "case_create": _("Opened the case"),
    "case_update": _("Changed the case"),
    "case_transition": _("Moved the case"),
    "case_referral": _("Referred the case to prosecution"),
    "case_share": _("Shared the case"),
    "case_unshare": _("Revoked a share"),
    "case_grant_user": _("Granted a named user"),
    "case_revoke_user": _("Revoked a named user"),
    "case_view": _("Viewed the case"),
    "parties_view": _("Viewed the parties"),
    "h3_acknowledge": _("Acknowledged the H3 conditions"),
    "seizure_add": _("Added a seizure"),
    "identifier_add": _("Added an identifier"),
    "party_add": _("Added a party"),
    "route_leg_add": _("Added a route leg"),
    "note_add": _("Added a note"),
    "document_add": _("Attached a document"),
    "document_download": _("Downloaded a document"),
    "hit_create": _("Found a hit with another agency's case"),
    "hit_open": _("Opened a hit"),
    "access_request_create": _("Asked for access from a hit"),
    "access_request_decide": _("Decided an access request"),
    "access_request_expire": _("An access request expired"),
    "identifier_exclude_from_matching": _("Changed whether an identifier is matched"),
    "exhibit_add": _("Registered an exhibit"),
    "custody_record": _("Recorded a custody transfer"),
    "exhibits_view": _("Viewed the exhibits"),
    "evidence_requests_view": _("Viewed the evidence-use requests"),
    "evidence_request_file": _("Asked to use items as evidence"),
    "evidence_request_grant": _("Granted the use of items as evidence"),
    "evidence_request_refuse": _("Refused the use of items as evidence"),
    "document_integrity_failed": _("Found a document no longer matching its SHA-256"),
    "case_file_produce": _("Produced the PDF case file"),
    "case_file_download": _("Downloaded the PDF case file"),
    "not_visible": _("Was refused access"),
    "forbidden": _("Was refused an action"),
    "token_refused": _("Used a refused API token"),
    "login_failed": _("Failed to log in"),
}
OPERATION_LABELS = dict(Operation.choices)
TRANSITION_LABELS = {
    "open": _("Open the case"),
    "referred": _("Refer to prosecution"),
    "judicial": _("Accept for judicial proceedings"),
    "closed": _("Close"),
    "archived": _("Archive"),
}


@register.filter
def handling_class(code: str) -> str:
    return HANDLING_CLASSES.get(code, "handling-h0")


@register.filter
def handling_short(code: str) -> str:
    return HANDLING_SHORT.get(code, "")


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def access_label(access: str) -> str:
    return ACCESS_LABELS.get(access, access)


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " "))


@register.filter
def operation_label(operation: str) -> str:
    return OPERATION_LABELS.get(operation, operation)


@register.filter
def transition_label(target: str, current: str = "") -> str:
    if target == "open" and current == "referred":
        return _("Withdraw the referral")
    if target == "open" and current != "draft":
        return _("Reopen")
    return TRANSITION_LABELS.get(target, target)


@register.filter
def opens_cases(membership) -> bool:
    """Whether the navigation offers "New case" (case_create decides for real)."""
    return membership is not None and membership.role in CASE_CREATOR_ROLES


@register.filter
def hidden_initial(field) -> str:
    """The hidden input carrying a field's initial value, for fields rendered choice by choice."""
    return field.as_hidden(only_initial=True) if field.field.show_hidden_initial else ""


@register.filter
def quantity(value) -> str:
    """A decimal quantity in the reader's locale, without trailing zeros: 1,200 or 358.5."""
    if value is None:
        return ""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=True)
