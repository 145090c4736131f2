"""Services: the only writers of notifications data."""
from .events import follow_automatically, notify, notify_audit_alert, retention_reviews_notify
from .inbox import (
    case_follow,
    case_unfollow,
    email_preferences_set,
    notification_mark_read,
    notifications_mark_all_read,
)
from .webhook_endpoints import webhook_endpoint_register, webhook_endpoint_remove, webhook_endpoint_update

__all__ = [
    "case_follow",
    "case_unfollow",
    "email_preferences_set",
    "follow_automatically",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_audit_alert",
    "retention_reviews_notify",
    "webhook_endpoint_register",
    "webhook_endpoint_remove",
    "webhook_endpoint_update",
]
