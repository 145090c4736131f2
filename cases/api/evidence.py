"""H1 evidence-use requests over /api/v1/ (API.md "Prosecution", issue 16).

GET/POST /cases/{case_id}/evidence-requests/, GET .../{request_id}/ and POST .../{request_id}/decide/.
The owning agency sees every request on its case, a requesting agency only its own. Reading
them is a consultation of the case, like every part list; the rules live in the service and
cases.selectors_evidence.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from coordination.api.pagination import NewestFirstCursorPagination
from coordination.api.serializers import StrictInputSerializer
from coordination.api.viewsets import CaseScopedViewSet

from .. import services
from ..models import EvidenceItemType, EvidenceRequest
from ..selectors_evidence import evidence_request_in, evidence_requests_on
from ..services.evidence import MAX_ITEMS, evidence_request_decide, evidence_request_file
from .views import ERRORS, READER_HEADERS, reader_answers

CONFLICT = {409: OpenApiResponse(description="The request has already been decided")}


class EvidenceItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=EvidenceItemType.choices)
    id = serializers.UUIDField(help_text="The case's own id for `case`; otherwise a document, note or exhibit of it")


class EvidenceRequestSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    requester_agency = serializers.CharField(source="requester_agency.code", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True, allow_null=True,
                                       help_text="null while the request is pending")

    class Meta:
        model = EvidenceRequest
        fields = ["id", "items", "justification", "status", "reason", "requested_by", "requester_agency",
                  "decided_by", "created_at", "decided_at"]

    def get_items(self, evidence_request) -> EvidenceItemSerializer(many=True):
        return [{"type": item.item_type, "id": item.item_id} for item in evidence_request.items.all()]


def _flat_messages(detail) -> list[str]:
    """The nested errors of the item list as the contract's flat list of messages (API.md:
    `{"field": ["message", ...]}`): `{"0": {"type": [...]}}` becomes "Item 1: type: ..."."""
    if isinstance(detail, dict):
        messages = []
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                messages += _flat_messages(value)
                continue
            prefix = f"Item {int(key) + 1}" if str(key).isdigit() else str(key)
            messages += [f"{prefix}: {message}" for message in _flat_messages(value)]
        return messages
    if isinstance(detail, list):
        return [message for entry in detail for message in _flat_messages(entry)]
    return [str(detail)]


class EvidenceRequestInputSerializer(StrictInputSerializer):
    items = EvidenceItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)
    justification = serializers.CharField(max_length=2000)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict) and "items" in error.detail:
                raise serializers.ValidationError({**error.detail, "items": _flat_messages(error.detail["items"])})
            raise


class EvidenceDecisionInputSerializer(StrictInputSerializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                   help_text="Required to refuse")


@extend_schema_view(
    list=extend_schema(summary="Evidence-use requests on the case: all for its owner, a requester's own otherwise",
                       parameters=READER_HEADERS,
                       responses={200: EvidenceRequestSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    retrieve=extend_schema(summary="One evidence-use request", parameters=READER_HEADERS,
                           responses={200: EvidenceRequestSerializer, 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(summary="Ask the owning agency to use items of this H1 case as evidence (prosecutors)",
                         request=EvidenceRequestInputSerializer,
                         responses={201: EvidenceRequestSerializer, **ERRORS}),
)
class EvidenceRequestViewSet(mixins.ListModelMixin, CaseScopedViewSet):
    serializer_class = EvidenceRequestSerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return EvidenceRequest.objects.none()
        return evidence_requests_on(user=self.request.user, case=self.case)

    def list(self, request, *args, **kwargs):
        services.case_consult(actor=request.user, case=self.case, what="evidence_requests",
                              **reader_answers(request))
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, case_id=None, request_id=None):
        services.case_consult(actor=request.user, case=self.case, what="evidence_requests",
                              **reader_answers(request))
        evidence_request = evidence_request_in(user=request.user, case_id=self.case.pk, request_id=request_id)
        return Response(EvidenceRequestSerializer(evidence_request).data)

    def create(self, request, case_id=None):
        data = EvidenceRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = evidence_request_file(actor=request.user, case_id=self.case.pk, **data.validated_data,
                                        acknowledge_conditions=reader_answers(request)["acknowledge_conditions"])
        return Response(self._shown(created.pk), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Grant or refuse (a reason is required to refuse); the owning agency only",
                   request=EvidenceDecisionInputSerializer,
                   responses={200: EvidenceRequestSerializer, **ERRORS, **CONFLICT})
    def decide(self, request, case_id=None, request_id=None):
        data = EvidenceDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence_request_decide(actor=request.user, case_id=self.case.pk, request_id=request_id,
                                **data.validated_data)
        return Response(self._shown(request_id))

    def _shown(self, request_id) -> dict:
        return EvidenceRequestSerializer(evidence_requests_on(user=self.request.user, case=self.case)
                                         .get(pk=request_id)).data
