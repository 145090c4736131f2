"""Case endpoints of /api/v1/. Thin: validate input, call one service or selector, render."""
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.api.serializers import AuditEventSerializer, AuditEventWithChangesSerializer
from audit.api.views import AuditTrailViewSet
from audit.selectors import case_events
from coordination.api.pagination import NewestFirstCursorPagination
from coordination.api.renderers import OrjsonRenderer
from coordination.api.viewsets import CaseScopedViewSet
from coordination.errors import ActionForbidden

from .. import services
from ..access import Action, can
from ..models import CaseGrant, CaseShare, Identifier, Note, Party, RouteLeg, SeizureItem
from ..selectors import case_for_audit, case_get, case_grants, case_list, case_shares
from ..services.matching import identifier_exclude_from_matching
from ..services.sharing import grantee_named
from . import serializers as s
from .case_rows import case_row, case_rows
from .filters import CaseFilter
from .pagination import CaseListPagination

ERRORS = {
    400: OpenApiResponse(description="Validation error: field messages"),
    403: OpenApiResponse(description="Role or grant does not allow the action"),
    404: OpenApiResponse(description="Not found, or not visible to the caller"),
}


JUSTIFICATION_HEADER = OpenApiParameter(
    "X-Justification", str, OpenApiParameter.HEADER, required=False,
    description="Why you consult this case; required by agency policy on the first consultation of another "
                "agency's case (403 justification_required otherwise).",
)
ACKNOWLEDGE_HEADER = OpenApiParameter(
    "X-Acknowledge-Conditions", str, OpenApiParameter.HEADER, required=False, enum=["H3"],
    description="H3 cases: accepts the owner's conditions (sent in the 403 conditions_acknowledgement_required) "
                "before the first consultation; recorded once per user and version of the conditions.",
)
READER_HEADERS = [JUSTIFICATION_HEADER, ACKNOWLEDGE_HEADER]


def reader_answers(request) -> dict:
    """What a reader says before consulting a case: the reason, and the H3 acknowledgement."""
    return {"justification": request.headers.get("X-Justification", ""),
            "acknowledge_conditions": request.headers.get("X-Acknowledge-Conditions", "").strip().upper() == "H3"}


@extend_schema_view(
    list=extend_schema(summary="Cases the caller may see", responses={200: s.CaseListSerializer}),
    retrieve=extend_schema(summary="One case with its parts", responses={200: s.CaseDetailSerializer, **ERRORS}),
)
class CaseViewSet(viewsets.GenericViewSet):
    pagination_class = CaseListPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    serializer_class = s.CaseListSerializer
    lookup_url_kwarg = "case_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return case_list(user=self.request.user)

    def get_renderers(self):
        # The list is the hot path: its rows are plain values (case_rows), written by orjson.
        if self.action == "list":
            return [OrjsonRenderer()]
        return super().get_renderers()

    def list(self, request):
        page = self.paginate_queryset(case_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([case_row(values) for values in page])

    @extend_schema(parameters=READER_HEADERS)
    def retrieve(self, request, case_id=None):
        case = case_get(user=request.user, case_id=case_id, before_parts=lambda visible: services.case_consult(
            actor=request.user, case=visible, **reader_answers(request)))
        return Response(s.CaseDetailSerializer(case).data)

    def _detail(self, case_id, code=status.HTTP_200_OK) -> Response:
        return Response(s.CaseDetailSerializer(case_get(user=self.request.user, case_id=case_id)).data, status=code)

    @extend_schema(summary="Open a case for the caller's agency", request=s.CaseCreateSerializer,
                   responses={201: s.CaseDetailSerializer, **ERRORS})
    def create(self, request):
        data = s.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_create(actor=request.user, **data.validated_data)
        return self._detail(case.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Change a case (optimistic locking on version)", request=s.CaseUpdateSerializer,
                   responses={200: s.CaseDetailSerializer, 409: OpenApiResponse(description="Stale version"),
                              **ERRORS})
    def partial_update(self, request, case_id=None):
        data = s.CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_update(actor=request.user, case_id=case_id, **data.validated_data)
        return self._detail(case_id)

    @extend_schema(summary="Move a case through its workflow", request=s.TransitionSerializer,
                   responses={200: s.CaseDetailSerializer,
                              409: OpenApiResponse(description="Not allowed from the current status"), **ERRORS})
    @action(detail=True, methods=["post"])
    def transition(self, request, case_id=None):
        data = s.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_transition(
            actor=request.user,
            case_id=case_id,
            to=data.validated_data["to"],
            reason=data.validated_data.get("reason", ""),
            agency_code=data.validated_data.get("agency") or None,
            justification=data.validated_data.get("justification", ""),
        )
        return self._detail(case_id)


class OldestFirst(NewestFirstCursorPagination):
    ordering = ("created_at", "id")


class CasePartViewSet(mixins.ListModelMixin, CaseScopedViewSet):
    """GET lists a part of the case, POST adds one through its service.

    A listing shows the case's content, so it is a consultation like the case detail: the same
    justification rule (X-Justification) and the same record, grouped per session and hour."""

    model = None
    input_serializer_class = None
    service = None
    pagination_class = OldestFirst
    consulted_as = "case"

    def list(self, request, *args, **kwargs):
        services.case_consult(actor=request.user, case=self.case, what=self.consulted_as, **reader_answers(request))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return self.model.objects.none()
        return self.model.objects.filter(case=self.case).select_related("created_by")

    def create(self, request, case_id=None):
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        part = type(self).service(actor=request.user, case_id=self.case.pk, **data.validated_data)
        return Response(self.get_serializer(part).data, status=status.HTTP_201_CREATED)


def part_viewset(model, output, input_serializer, service, label: str):
    """One list/create viewset per case part, each with its schema."""
    viewset = type(
        f"{model.__name__}ViewSet",
        (CasePartViewSet,),
        {"model": model, "serializer_class": output, "input_serializer_class": input_serializer,
         "service": staticmethod(service)},
    )
    return extend_schema_view(
        list=extend_schema(summary=f"The case's {label}", parameters=READER_HEADERS,
                           responses={200: output(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
        create=extend_schema(summary=f"Add to the case's {label}", request=input_serializer,
                             responses={201: output, **ERRORS}),
    )(viewset)


SeizureViewSet = part_viewset(SeizureItem, s.SeizureSerializer, s.SeizureInputSerializer, services.seizure_add,
                              "seizures")
class IdentifierViewSet(part_viewset(Identifier, s.IdentifierSerializer, s.IdentifierInputSerializer,
                                     services.identifier_add, "identifiers")):
    @extend_schema(summary="Mark an identifier as not to be matched (or matchable again); owner only, audited",
                   request=s.MatchingExclusionSerializer, responses={200: s.IdentifierSerializer, **ERRORS})
    def matching(self, request, case_id=None, identifier_id=None):
        data = s.MatchingExclusionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identifier = identifier_exclude_from_matching(
            actor=request.user, case_id=self.case.pk, identifier_id=identifier_id,
            excluded=data.validated_data["excluded"], justification=data.validated_data.get("justification", ""))
        return Response(s.IdentifierSerializer(identifier).data)


class PartyViewSet(part_viewset(Party, s.PartySerializer, s.PartyInputSerializer, services.party_add, "parties")):
    """Parties are personal data: listing them is a consultation of its own."""

    consulted_as = "parties"


RouteLegViewSet = part_viewset(RouteLeg, s.RouteLegSerializer, s.RouteLegInputSerializer, services.route_leg_add,
                               "route")
NoteViewSet = part_viewset(Note, s.NoteSerializer, s.NoteInputSerializer, services.note_add, "notes")


@extend_schema_view(
    list=extend_schema(summary="Agencies holding the case (owner side only)",
                       responses={200: s.ShareSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(summary="Share the case with an agency", request=s.ShareInputSerializer,
                         responses={201: s.ShareSerializer, **ERRORS}),
    destroy=extend_schema(summary="Revoke a share", request=s.ShareRevokeSerializer,
                          responses={204: None, 403: ERRORS[403], 404: ERRORS[404]}),
)
class ShareViewSet(CaseScopedViewSet):
    serializer_class = s.ShareSerializer
    lookup_url_kwarg = "share_id"
    queryset = CaseShare.objects.none()

    pagination_class = OldestFirst

    def list(self, request, case_id=None):
        if self.case.access not in {"owner", "manage"}:
            raise ActionForbidden("Only the owning agency and managers see a case's shares.")
        page = self.paginate_queryset(case_shares(case=self.case))
        return self.get_paginated_response(s.ShareSerializer(page, many=True).data)

    def create(self, request, case_id=None):
        data = s.ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share = services.case_share(
            actor=request.user,
            case_id=self.case.pk,
            agency_code=data.validated_data["agency"],
            level=data.validated_data["level"],
            justification=data.validated_data.get("justification", ""),
        )
        return Response(s.ShareSerializer(share).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, case_id=None, share_id=None):
        data = s.ShareRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_unshare(actor=request.user, case_id=self.case.pk, share_id=share_id,
                              justification=data.validated_data.get("justification", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Users opened to the case by name (owner side only)",
                       responses={200: s.GrantSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]}),
    create=extend_schema(summary="Open the case to a named user (the only way into a restricted case)",
                         request=s.GrantInputSerializer, responses={201: s.GrantSerializer, **ERRORS}),
    destroy=extend_schema(summary="Revoke a named grant", request=s.ShareRevokeSerializer,
                          responses={204: None, 403: ERRORS[403], 404: ERRORS[404]}),
)
class GrantViewSet(CaseScopedViewSet):
    serializer_class = s.GrantSerializer
    lookup_url_kwarg = "grant_id"
    queryset = CaseGrant.objects.none()
    pagination_class = OldestFirst

    def list(self, request, case_id=None):
        if self.case.access not in {"owner", "manage"}:
            raise ActionForbidden("Only the owning agency and managers see a case's named grants.")
        page = self.paginate_queryset(case_grants(case=self.case))
        return self.get_paginated_response(s.GrantSerializer(page, many=True).data)

    def create(self, request, case_id=None):
        data = s.GrantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.case_grant_user(actor=request.user, case_id=self.case.pk,
                                         user=grantee_named(data.validated_data["username"]),
                                         level=data.validated_data["level"],
                                         justification=data.validated_data.get("justification", ""))
        return Response(s.GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, case_id=None, grant_id=None):
        data = s.ShareRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_revoke_grant(actor=request.user, case_id=self.case.pk, grant_id=grant_id,
                                   justification=data.validated_data.get("justification", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="The case's audit trail (owner's auditors and managers)",
                                       responses={200: AuditEventWithChangesSerializer(many=True), 403: ERRORS[403],
                                                  404: ERRORS[404]}))
class CaseAuditViewSet(AuditTrailViewSet):
    """Before/after values of alterations show here only, to readers the policy lets see the
    case (its managers); the owner's auditors see which fields changed, never case content."""

    def events(self):
        self.case = case_for_audit(user=self.request.user, case_id=self.kwargs["case_id"])
        return case_events(case_id=self.case.pk)

    def get_serializer_class(self):
        case = getattr(self, "case", None)
        if case is not None and can(self.request.user, Action.VIEW, case):
            return AuditEventWithChangesSerializer
        return AuditEventSerializer
