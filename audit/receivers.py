"""Failed browser logins are denied attempts too (the token endpoint records its own)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction

from .models import Operation
from .services import audit_record

API_PREFIX = "/api/"


def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    if request is None or request.path.startswith(API_PREFIX):
        return
    username = str(credentials.get("username", ""))[:64]
    # Recorded against the account tried, as the token endpoint does, so that its agency's
    # auditors see attempts on their people; the address and user agent say where it came from.
    User = get_user_model()
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    with transaction.atomic():
        audit_record(actor=account, operation=Operation.ACCESS_DENIED, action="login_failed", object_type="user",
                     object_id=username)


def connect() -> None:
    user_login_failed.connect(record_failed_login, dispatch_uid="audit.record_failed_login")
