"""Platform admins watch the outbox and deliveries here; everything is read-only (the services write)."""
from django.contrib import admin

from .models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "case__reference", "agency", "created_at", "attempts", "delivered_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "agency"]
    exclude = ["payload"]  # audit alert texts are for the agency's auditors


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "agency", "active", "created_at"]
    list_filter = ["active", "agency"]
    exclude = ["secret"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "status", "attempts", "created_at", "delivered_at"]
    list_filter = ["status"]
    inlines = [WebhookAttemptInline]
