"""/api/v1/hits/ and /api/v1/access-requests/ (API.md "Hits", "Access requests").

A hit shows the caller's own side only: its case, the value its case holds, and the other
agency. `other_case` is filled only when the access policy lets the caller see it now.
"""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from agencies.api.serializers import AgencyRefSerializer
from coordination.api.pagination import NewestFirstCursorPagination
from coordination.api.serializers import StrictInputSerializer

from ..models import AccessRequest, AccessRequestStatus, Hit, HitStatus
from ..selectors_hits import (
    access_request_get,
    access_requests_visible,
    hit_identifier,
    hit_open,
    hit_other_case,
    hits_filtered,
    is_incoming,
    with_own_identifiers,
)
from ..services.access_requests import REQUESTABLE_LEVELS, access_request_create, access_request_decide

NOT_VISIBLE = OpenApiResponse(description="Not found, or not visible to the caller")
BAD_INPUT = OpenApiResponse(description="Validation error: field messages")
CONFLICT = OpenApiResponse(description="Already decided, expired, already requested, or already visible")


class HitCaseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class HitIdentifierSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField(allow_null=True)


class HitSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = HitCaseSerializer()
    identifier = serializers.SerializerMethodField()
    other_agency = serializers.SerializerMethodField()
    other_case = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=HitStatus.choices, source="shown_status")
    created_at = serializers.DateTimeField()

    def get_identifier(self, hit) -> HitIdentifierSerializer:
        return hit_identifier(hit)

    def get_other_agency(self, hit) -> AgencyRefSerializer:
        agency = hit.other_case.owner_agency
        return {"code": agency.code, "name": agency.name}

    def get_other_case(self, hit) -> HitCaseSerializer(allow_null=True):
        return hit_other_case(hit)


class HitFilterSerializer(StrictInputSerializer):
    case = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=HitStatus.choices, required=False)
    cursor = serializers.CharField(required=False)
    page_size = serializers.CharField(required=False)


class RequesterSerializer(serializers.Serializer):
    username = serializers.CharField()
    agency = serializers.CharField()


class AccessRequestSerializer(serializers.Serializer):
    """Each side sees its own case and identifier; the owner side also sees who asks, from
    which of their cases (by reference), and why."""

    id = serializers.UUIDField()
    hit = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()
    requester_case_reference = serializers.SerializerMethodField()
    other_agency = serializers.SerializerMethodField()
    identifier = serializers.SerializerMethodField()
    level = serializers.CharField()
    justification = serializers.CharField()
    status = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_level = serializers.CharField(allow_null=True, source="decided_level_or_none")
    reason = serializers.CharField()

    def _incoming(self, request) -> bool:
        return is_incoming(request, self.context["request"].user)

    def get_hit(self, request) -> serializers.UUIDField(allow_null=True):
        """The requester's own hit; the owner side has a hit of its own, never this one."""
        return None if self._incoming(request) else request.hit_id

    def get_direction(self, request) -> str:
        return "incoming" if self._incoming(request) else "outgoing"

    def get_case(self, request) -> HitCaseSerializer:
        case = request.case if self._incoming(request) else request.requester_case
        return {"id": case.pk, "reference": case.reference}

    def get_requester(self, request) -> RequesterSerializer:
        return {"username": request.requester.username, "agency": request.requester_agency.code}

    def get_requester_case_reference(self, request) -> str:
        return request.requester_case.reference

    def get_other_agency(self, request) -> AgencyRefSerializer:
        agency = request.requester_agency if self._incoming(request) else request.case.owner_agency
        return {"code": agency.code, "name": agency.name}

    def get_identifier(self, request) -> HitIdentifierSerializer:
        return request.own_identifier

    def get_status(self, request) -> str:
        return request.shown_status

    def to_representation(self, instance):
        instance.decided_level_or_none = instance.decided_level or None
        instance.shown_status = (AccessRequestStatus.EXPIRED.value if instance.is_lapsed()
                                 else instance.status)
        return super().to_representation(instance)


class AccessRequestInputSerializer(StrictInputSerializer):
    hit = serializers.UUIDField()
    level = serializers.ChoiceField(choices=REQUESTABLE_LEVELS)
    justification = serializers.CharField(max_length=2000)


class DecisionInputSerializer(StrictInputSerializer):
    approve = serializers.BooleanField()
    level = serializers.ChoiceField(choices=REQUESTABLE_LEVELS, required=False)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DirectionSerializer(StrictInputSerializer):
    direction = serializers.ChoiceField(choices=["incoming", "outgoing"], required=False)
    status = serializers.ChoiceField(choices=AccessRequestStatus.choices, required=False)
    cursor = serializers.CharField(required=False)
    page_size = serializers.CharField(required=False)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


@extend_schema_view(
    list=extend_schema(summary="Hits on the cases of the caller's agency (hit/no-hit)",
                       parameters=[OpenApiParameter("case", str), OpenApiParameter("status", str,
                                                                                   enum=HitStatus.values)],
                       responses={200: HitSerializer(many=True), 400: BAD_INPUT}),
    retrieve=extend_schema(summary="One hit; opening it is recorded as a combination",
                           responses={200: HitSerializer, 404: NOT_VISIBLE}),
)
class HitViewSet(viewsets.GenericViewSet):
    serializer_class = HitSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "hit_id"
    queryset = Hit.objects.none()

    def list(self, request):
        query = _query(HitFilterSerializer, request)
        hits = hits_filtered(user=request.user, case_id=query.get("case"), status=query.get("status"))
        page = self.paginate_queryset(hits)
        return self.get_paginated_response(HitSerializer(page, many=True).data)

    def retrieve(self, request, hit_id=None):
        return Response(HitSerializer(hit_open(user=request.user, hit_id=hit_id)).data)


@extend_schema_view(
    list=extend_schema(summary="Access requests of the caller's agency (outgoing) and to it (incoming)",
                       parameters=[OpenApiParameter("direction", str, enum=["incoming", "outgoing"])],
                       responses={200: AccessRequestSerializer(many=True), 400: BAD_INPUT}),
    create=extend_schema(summary="Ask the other agency of a hit for access to its case",
                         request=AccessRequestInputSerializer,
                         responses={201: AccessRequestSerializer, 400: BAD_INPUT, 404: NOT_VISIBLE, 409: CONFLICT}),
    retrieve=extend_schema(summary="One access request", responses={200: AccessRequestSerializer, 404: NOT_VISIBLE}),
)
class AccessRequestViewSet(viewsets.GenericViewSet):
    serializer_class = AccessRequestSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "request_id"
    queryset = AccessRequest.objects.none()

    def _render(self, access_requests, many=False):
        rows = with_own_identifiers(access_requests if many else [access_requests], self.request.user)
        data = AccessRequestSerializer(rows, many=True, context={"request": self.request}).data
        return data if many else data[0]

    def list(self, request):
        query = _query(DirectionSerializer, request)
        rows = access_requests_visible(user=request.user, direction=query.get("direction"),
                                       status=query.get("status"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self._render(page, many=True))

    def create(self, request):
        data = AccessRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = access_request_create(actor=request.user, hit_id=data.validated_data["hit"],
                                        level=data.validated_data["level"],
                                        justification=data.validated_data["justification"])
        return Response(self._render(access_request_get(user=request.user, request_id=created.pk)),
                        status=status.HTTP_201_CREATED)

    def retrieve(self, request, request_id=None):
        return Response(self._render(access_request_get(user=request.user, request_id=request_id)))

    @extend_schema(summary="Approve (a share at most at the level asked) or refuse, with a reason",
                   request=DecisionInputSerializer,
                   responses={200: AccessRequestSerializer, 400: BAD_INPUT, 404: NOT_VISIBLE, 409: CONFLICT})
    def decide(self, request, request_id=None):
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_request_decide(actor=request.user, request_id=request_id, **data.validated_data)
        return Response(self._render(access_request_get(user=request.user, request_id=request_id)))
