"""Platform admins manage agencies and people here.

A membership is history: a role is set only through membership_set_role (audited), which
retires the previous membership instead of editing it, and a member is never deleted.
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Agency, Membership
from .services import agency_upsert, membership_set_role
from .services_admin import POLICY_FIELDS, agency_policy_set

User = get_user_model()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = readonly_fields = ("user", "role", "active", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    """Saving goes through the audited services: the agency's identity (agency_upsert) and its
    policy (agency_policy_set), each recorded with its before and after in the agency's trail."""

    list_display = ["code", "name", "kind", "country", "active", "require_2fa"]
    list_filter = ["kind", "country", "active"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()  # the code names the agency in every record and reference

    def save_model(self, request, obj, form, change):
        agency = agency_upsert(actor=request.user, code=obj.code, name=obj.name, kind=obj.kind, country=obj.country,
                               active=obj.active)
        agency = agency_policy_set(actor=request.user, agency=agency,
                                   **{field: getattr(obj, field) for field in POLICY_FIELDS})
        obj.pk = agency.pk
        obj.refresh_from_db()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Adding a membership sets the user's role through the service; existing ones are read-only."""

    list_display = ["user", "agency", "role", "active", "created_at"]
    list_filter = ["agency", "role", "active"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__username", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    fields = ("user", "agency", "role")
    readonly_fields = ("active", "created_at")

    def get_fields(self, request, obj=None):
        return self.fields + self.readonly_fields if obj else self.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        membership = membership_set_role(actor=request.user, user=obj.user, agency=obj.agency, role=obj.role)
        # The admin logs and redirects to the membership the service kept or created.
        obj.pk, obj.active, obj.created_at = membership.pk, membership.active, membership.created_at


# Deleting a user would cascade away their memberships and named grants without a record:
# platform admins deactivate accounts instead.
admin.site.unregister(User)


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    def has_delete_permission(self, request, obj=None):
        return False
