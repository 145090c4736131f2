"""Personal API tokens: issue, look up, revoke.

The raw key leaves the server once, in the issue response; the database keeps its SHA-256
only. Neither the key nor the password is ever written to the audit trail or a log.
"""
import datetime
import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit.context import DeniedAttempt, current_request_context, note_denied_attempt
from audit.models import AuditEvent, Operation
from audit.services import audit_record

from .models import ApiToken

KEY_BYTES = 32
PREFIX_LENGTH = 8
# A write per request would be costly; minute-level precision is enough to spot stale tokens.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)
REFUSAL_RECORD_WINDOW = datetime.timedelta(minutes=1)
AUDIT_OBJECT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length


def api_token_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(key: str) -> ApiToken | None:
    """The token whose key is `key`, live or not (api_token_is_live); None for an unknown key."""
    return (ApiToken.objects.select_related("user", "user__service_account")
            .filter(key_hash=api_token_key_hash(key)).first())


def api_token_is_live(token: ApiToken) -> bool:
    """Unexpired and held by an active user."""
    return token.user.is_active and (token.expires_at is None or token.expires_at > timezone.now())


def note_token_refused(*, token: ApiToken | None, reason: str) -> None:
    """A token the API refused (`token`: the row its key matched, if any), for the audit trail,
    written after the request, which answers 401. A known but expired token, or one whose user
    is inactive, is the holder's: their agency's auditors see it, with the token's listed prefix.
    Of an unknown key nothing is kept (it may be another system's secret sent here by mistake).

    One record per token, or per address for unknown keys, per REFUSAL_RECORD_WINDOW: anyone can
    send junk tokens, and DRF's throttles run only after authentication.
    """
    if token is not None and reason == "invalid":
        reason = "inactive_user" if not token.user.is_active else "expired"
    source = f"token:{token.pk}" if token else f"address:{current_request_context().ip_address}"
    if not cache.add(f"audit:token-refused:{source}", 1, REFUSAL_RECORD_WINDOW.total_seconds()):
        return
    changes = {"reason": reason, "prefix": token.prefix} if token else {"reason": reason}
    note_denied_attempt(DeniedAttempt(actor=token.user if token else None, object_type="api_token",
                                      object_id=str(token.pk) if token else "", action="token_refused",
                                      changes=changes))


def api_token_address_allowed(token: ApiToken, address: str | None) -> bool:
    """A service account's key is accepted only from its allow-list (when it has one); a
    person's token from anywhere."""
    account = getattr(token.user, "service_account", None)
    if account is None or not account.allowed_ips:
        return True
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(network) for network in account.allowed_ips)


def api_token_mark_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_token_create(*, user, expires_at: datetime.datetime | None) -> tuple[ApiToken, str]:
    """A new token row and its raw key; the caller records the issue in the audit trail."""
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(user=user, key_hash=api_token_key_hash(key), prefix=key[:PREFIX_LENGTH],
                                    expires_at=expires_at)
    return token, key


@transaction.atomic
def api_token_issue(*, user) -> tuple[ApiToken, str]:
    """A new token for `user` and its raw key. Earlier tokens stay valid: one per system."""
    lifetime_days = settings.API_TOKEN_LIFETIME_DAYS
    token, key = api_token_create(
        user=user, expires_at=timezone.now() + datetime.timedelta(days=lifetime_days) if lifetime_days else None
    )
    audit_record(
        actor=user,
        operation=Operation.COLLECTION,
        action="token_issue",
        object_type="api_token",
        object_id=token.pk,
        changes={"prefix": token.prefix, "expires_at": token.expires_at.isoformat() if token.expires_at else None},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    token_id, prefix = token.pk, token.prefix
    token.delete()
    audit_record(
        actor=actor,
        operation=Operation.ERASURE,
        action="token_revoke",
        object_type="api_token",
        object_id=token_id,
        changes={"prefix": prefix},
    )


@transaction.atomic
def api_tokens_revoke_all(*, actor, user, reason: str) -> list[str]:
    """Revoke every API token of `user` (their password changed, their second factor was reset):
    a key issued before stays no proof of who holds it now. The prefixes revoked, audited."""
    tokens = ApiToken.objects.filter(user=user)
    prefixes = sorted(tokens.values_list("prefix", flat=True))
    if prefixes:
        tokens.delete()
        audit_record(actor=actor, operation=Operation.ERASURE, action="tokens_revoke_all", object_type="user",
                     object_id=user.pk, recipient=user.get_username(),
                     changes={"prefixes": prefixes, "reason": reason})
    return prefixes


@transaction.atomic
def api_token_issue_denied(*, username: str, user, reason: str, locked_out: bool) -> None:
    """Art. 25 LED: refused access is logged too. `user` is None when the username is unknown."""
    audit_record(
        actor=user,
        operation=Operation.ACCESS_DENIED,
        action="token_issue",
        object_type="user",
        object_id=username[:AUDIT_OBJECT_ID_LENGTH],
        changes={"reason": reason, "locked_out": locked_out},
    )
