"""The auditor's view of their agency's trail in the browser, with the CSV export."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coordination.errors import ActionForbidden
from coordination.params import bad_query_answers_400, query_int

from .api.filters import AuditEventFilter
from .exports_csv import audit_export_start, csv_rows
from .selectors import agency_events

PAGE_SIZE = 100


def _events_or_403(user):
    events = agency_events(user=user)
    if events is None:
        raise PermissionDenied
    return events


@login_required
@require_http_methods(["GET", "POST"])
@bad_query_answers_400
def audit_trail_view(request):
    events = _events_or_403(request.user)
    before = query_int(request.GET, "before")  # before any export is recorded
    filtered = AuditEventFilter(request.GET, queryset=events)
    context = {"filter": filtered, "export_error": ""}
    if request.method == "POST" and filtered.is_valid():
        try:
            audit_export_start(actor=request.user, filters=dict(request.GET.items()),
                               justification=request.POST.get("justification", ""))
        except ActionForbidden as refused:
            context["export_error"] = refused.detail
        else:
            response = StreamingHttpResponse(csv_rows(filtered.qs), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
            return response
    rows = filtered.qs.order_by("-id") if filtered.is_valid() else events.none()
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(rows[: PAGE_SIZE + 1])
    context.update(events=page[:PAGE_SIZE], next_before=page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None)
    return render(request, "audit/trail.html", context, status=400 if context["export_error"] else 200)
