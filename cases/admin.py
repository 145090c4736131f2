"""Platform admins see which cases exist, never what they hold (separation of duties).

No guardian object-permission screens: grants and shares change only through the audited
services in cases.services, so the admin here is read-only and deletes nothing.
"""
from django.contrib import admin

from .models import Case, CaseShare


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    # The four fields that are not case content; title, summary and conditions never appear.
    fields = list_display = ("reference", "owner_agency", "status", "handling_code")
    list_filter = ["status", "handling_code", "owner_agency"]
    list_select_related = ["owner_agency"]
    search_fields = ["reference"]

    def get_urls(self):
        # Drop the unnamed legacy "<id>/" redirect, so guardian-era links such as
        # <id>/permissions/ answer 404 rather than bouncing on to a change page.
        return [url for url in super().get_urls() if url.name]


@admin.register(CaseShare)
class CaseShareAdmin(ReadOnlyAdmin):
    """Shares change through case_share/case_unshare, which keep the guardian grants and the trail in step."""

    fields = list_display = ("case", "agency", "level", "granted_by", "created_at")
    list_filter = ["level", "agency"]
    list_select_related = ["case", "agency", "granted_by"]
