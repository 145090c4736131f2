"""Platform admins manage grants here; case content stays read-only (separation of duties)."""
from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Case, CaseShare


@admin.register(Case)
class CaseAdmin(GuardedModelAdmin):
    list_display = ["reference", "owner_agency", "status", "handling_code", "restricted", "seized_at"]
    list_filter = ["status", "handling_code", "restricted", "owner_agency"]
    search_fields = ["reference"]
    fields = ["reference", "owner_agency", "status", "handling_code", "restricted", "version"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Opening the page lets a superuser reach guardian's object-permission screens;
        # the fields themselves are read-only.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseShare)
class CaseShareAdmin(admin.ModelAdmin):
    list_display = ["case", "agency", "level", "granted_by", "created_at"]
    list_filter = ["level", "agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
