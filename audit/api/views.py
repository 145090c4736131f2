from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from coordination.errors import ActionForbidden

from ..exports_csv import audit_export_start, csv_rows
from ..models import AuditEvent
from ..selectors import agency_events
from .filters import AuditEventFilter
from .pagination import NewestEventFirst
from .serializers import AuditEventSerializer


class AuditTrailViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A filtered, cursor-paginated list of audit events; subclasses say whose (`events`)."""

    serializer_class = AuditEventSerializer
    pagination_class = NewestEventFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return AuditEvent.objects.none()
        return self.events()


@extend_schema_view(list=extend_schema(summary="Audit events of the auditor's own agency"))
class AuditEventViewSet(AuditTrailViewSet):
    def events(self):
        events = agency_events(user=self.request.user)
        if events is None:
            raise ActionForbidden("The audit trail is for auditors.", code="auditors_only")
        return events


class AuditExportView(APIView):
    """GET /api/v1/audit/export/: the same records as the list, filtered alike, as CSV."""

    @extend_schema(
        summary="Export the auditor's trail as CSV (justification required by policy)",
        parameters=[OpenApiParameter("X-Justification", str, OpenApiParameter.HEADER, required=False,
                                     description="Why you export; required by agency policy.")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one line per record")},
    )
    def get(self, request):
        events = agency_events(user=request.user)
        if events is None:
            raise ActionForbidden("The audit trail is for auditors.", code="auditors_only")
        filtered = AuditEventFilter(request.query_params, queryset=events)
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        audit_export_start(actor=request.user, filters=dict(request.query_params.items()),
                           justification=request.headers.get("X-Justification", ""))
        response = StreamingHttpResponse(csv_rows(filtered.qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
