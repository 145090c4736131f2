"""Audit's own events, for other apps (notifications) to deliver; audit imports none of them."""
from django.dispatch import Signal

# Sent with sender=AuditAlert, alert=<AuditAlert>, recipients=[users] after it is recorded.
audit_alert = Signal()
