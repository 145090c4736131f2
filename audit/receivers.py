"""Failed browser logins are denied attempts too (the token endpoint records its own)."""
from django.contrib.auth.signals import user_login_failed
from django.db import transaction

from .models import Operation
from .services import audit_record

API_PREFIX = "/api/"


def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    if request is None or request.path.startswith(API_PREFIX):
        return
    # No actor: whoever typed the password is not known to be the account's owner.
    with transaction.atomic():
        audit_record(actor=None, operation=Operation.ACCESS_DENIED, action="login_failed", object_type="user",
                     object_id=str(credentials.get("username", ""))[:64])


def connect() -> None:
    user_login_failed.connect(record_failed_login, dispatch_uid="audit.record_failed_login")
