from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from coordination.errors import ActionForbidden

from ..models import AuditEvent
from ..selectors import agency_events
from .filters import AuditEventFilter
from .pagination import NewestEventFirst
from .serializers import AuditEventSerializer


@extend_schema_view(list=extend_schema(summary="Audit events of the auditor's own agency"))
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    pagination_class = NewestEventFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return AuditEvent.objects.none()
        events = agency_events(user=self.request.user)
        if events is None:
            raise ActionForbidden("The audit trail is for auditors.", code="auditors_only")
        return events
