from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only."""

    # `changes` holds before/after values of case fields: case content, not for the admin.
    exclude = ["changes"]
    list_display = ["at", "actor_username", "actor_agency", "operation", "action", "object_type", "object_id"]
    list_filter = ["operation", "actor_agency"]
    search_fields = ["actor_username", "object_id", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
