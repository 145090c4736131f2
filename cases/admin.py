"""Platform admins see which cases exist, never what they hold (separation of duties).

No guardian object-permission screens: grants and shares change only through the audited
services in cases.services, so the admin here is read-only and deletes nothing.
"""
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .choices import MatchKeyKind
from .models import Case, CaseShare
from .services.matching import frequent_values

FREQUENT_SHOWN = 500


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
        frequent = path("frequent-values/", self.admin_site.admin_view(self.frequent_values_view),
                        name="cases_frequent_values")
        return [frequent, *(url for url in super().get_urls() if url.name)]

    def frequent_values_view(self, request):
        """The values that stopped producing hits (issue 14): keys and counts only, for superusers."""
        if not request.user.is_superuser:
            raise PermissionDenied
        rows = list(frequent_values()[: FREQUENT_SHOWN + 1])
        labels = dict(MatchKeyKind.choices)
        for row in rows:
            row["kind_label"] = labels.get(row["kind"], row["kind"])
        return TemplateResponse(request, "admin/cases/frequent_values.html", {
            **self.admin_site.each_context(request),
            "title": _("Frequent values"),
            "opts": self.model._meta,
            "rows": rows[:FREQUENT_SHOWN],
            "truncated": len(rows) > FREQUENT_SHOWN,
            "shown": FREQUENT_SHOWN,
            "limit": settings.MATCHING_MAX_CASES,
        })


@admin.register(CaseShare)
class CaseShareAdmin(ReadOnlyAdmin):
    """Shares change through case_share/case_unshare, which keep the guardian grants and the trail in step."""

    fields = list_display = ("case", "agency", "level", "granted_by", "created_at")
    list_filter = ["level", "agency"]
    list_select_related = ["case", "agency", "granted_by"]
