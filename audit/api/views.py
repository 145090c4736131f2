from django.http import HttpResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
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


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class CsvRenderer(BaseRenderer):
    """Lets `Accept: text/csv` and `?format=csv` choose the CSV export on the list. The CSV
    itself streams past renderers; only error bodies would come here, and they are sent as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise AssertionError("the CSV export streams; errors are rendered as JSON")


class FormatIsAField(DefaultContentNegotiation):
    """An unknown `?format=` falls back to JSON here, instead of DRF's 404, and the list then
    answers 400 naming the field, after authentication (an anonymous caller still gets 401)."""

    def filter_renderers(self, renderers, format):
        return [renderer for renderer in renderers if renderer.format == format] or renderers[:1]


def refuse_unknown_format(request, renderers) -> None:
    asked = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
    formats = [renderer.format for renderer in renderers]
    if asked is not None and asked not in formats:
        raise ValidationError({api_settings.URL_FORMAT_OVERRIDE: [f"Use one of: {', '.join(formats)}."]})


def csv_export(request, events) -> StreamingHttpResponse:
    """The auditor's records, filtered like the list, as CSV: the justification checked and
    the export recorded before the first row leaves."""
    query = request.query_params.copy()
    query.pop(api_settings.URL_FORMAT_OVERRIDE, None)
    filtered = AuditEventFilter(query, queryset=events)
    if not filtered.is_valid():
        raise ValidationError(filtered.errors)
    if request.method == "HEAD":  # headers only: no record leaves, so there is no export to record
        response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    else:
        audit_export_start(actor=request.user, filters=dict(query.items()),
                           justification=request.headers.get("X-Justification", ""))
        response = StreamingHttpResponse(csv_rows(filtered.qs), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def auditor_events(user):
    events = agency_events(user=user)
    if events is None:
        raise ActionForbidden("The audit trail is for auditors.", code="auditors_only")
    return events


EXPORT_SCHEMA = dict(
    parameters=[OpenApiParameter("X-Justification", str, OpenApiParameter.HEADER, required=False,
                                 description="Why you export; required by agency policy.")],
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one line per record")},
)


@extend_schema_view(list=extend_schema(
    summary="Audit events of the auditor's own agency (JSON; CSV with Accept: text/csv or ?format=csv)"))
class AuditEventViewSet(AuditTrailViewSet):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]
    content_negotiation_class = FormatIsAField

    def events(self):
        return auditor_events(self.request.user)

    def list(self, request, *args, **kwargs):
        events = self.get_queryset()  # auditors only (403), before anything about the query
        refuse_unknown_format(request, self.get_renderers())
        if request.accepted_renderer.format == CsvRenderer.format:
            return csv_export(request, events)
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        chosen = getattr(request, "accepted_renderer", None)
        if chosen is not None and chosen.format == CsvRenderer.format and isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class AuditExportView(APIView):
    """GET /api/v1/audit/export/: the same records as the list, filtered alike, as CSV."""

    @extend_schema(summary="Export the auditor's trail as CSV (justification required by policy)", **EXPORT_SCHEMA)
    def get(self, request):
        return csv_export(request, auditor_events(request.user))
