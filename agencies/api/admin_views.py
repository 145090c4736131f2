"""/api/v1/agency/: an agency admin manages their own agency (API.md, "Agency administration").

Thin, as the webhook API (notifications/api/views.py) they copy: each action parses its input,
then calls one service or selector, which asks administered_agency() first: 403 for every
other role, 404 for another agency's member or service account.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from coordination.api.pagination import NewestFirstCursorPagination

from .. import services_admin as services
from ..models import Membership, ServiceAccount
from ..selectors_admin import (
    administered_agency,
    agency_member,
    agency_members,
    agency_service_accounts,
)
from . import admin_serializers as s

NOT_VISIBLE = OpenApiResponse(description="Not found, or not of the caller's agency")
ADMINS_ONLY = OpenApiResponse(description="Only the agency's administrators")


@extend_schema_view(
    list=extend_schema(summary="The members of the admin's agency, deactivated ones included",
                       responses={200: s.MemberSerializer(many=True), 403: ADMINS_ONLY}),
    create=extend_schema(summary="Create a member; they set a password through an e-mailed one-time link",
                         request=s.MemberInputSerializer, responses={201: s.MemberSerializer, 403: ADMINS_ONLY}),
    retrieve=extend_schema(summary="One member", responses={200: s.MemberSerializer, 404: NOT_VISIBLE}),
    partial_update=extend_schema(summary="Change a member's role", request=s.MemberRoleSerializer,
                                 responses={200: s.MemberSerializer, 404: NOT_VISIBLE}),
)
class MemberViewSet(viewsets.GenericViewSet):
    serializer_class = s.MemberSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "member_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return agency_members(agency=administered_agency(self.request.user))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.MemberSerializer(page, many=True).data)

    def create(self, request):
        data = s.MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_create(actor=request.user, **data.validated_data)
        return Response(s.MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, member_id=None):
        membership = agency_member(agency=administered_agency(request.user), member_id=member_id)
        return Response(s.MemberSerializer(membership).data)

    def partial_update(self, request, member_id=None):
        data = s.MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_set_role(actor=request.user, member_id=member_id, **data.validated_data)
        return Response(s.MemberSerializer(membership).data)

    @extend_schema(summary="Deactivate a member: their sessions and API tokens end at once", request=None,
                   responses={200: s.MemberSerializer, 404: NOT_VISIBLE})
    def deactivate(self, request, member_id=None):
        membership = services.member_deactivate(actor=request.user, member_id=member_id)
        return Response(s.MemberSerializer(membership).data)


@extend_schema_view(
    list=extend_schema(summary="The service accounts of the admin's agency, revoked ones included",
                       responses={200: s.ServiceAccountSerializer(many=True), 403: ADMINS_ONLY}),
    create=extend_schema(summary="Create a service account; its key is shown only in this response",
                         request=s.ServiceAccountInputSerializer,
                         responses={201: s.ServiceAccountCreatedSerializer, 403: ADMINS_ONLY}),
    destroy=extend_schema(summary="Revoke a service account: its key stops working at once",
                          responses={204: None, 404: NOT_VISIBLE}),
)
class ServiceAccountViewSet(viewsets.GenericViewSet):
    serializer_class = s.ServiceAccountSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "account_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceAccount.objects.none()
        return agency_service_accounts(agency=administered_agency(self.request.user))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ServiceAccountSerializer(page, many=True).data)

    def create(self, request):
        data = s.ServiceAccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account, key = services.service_account_create(actor=request.user, **data.validated_data)
        return Response({"id": account.pk, "name": account.name, "key": key}, status=status.HTTP_201_CREATED)

    def destroy(self, request, account_id=None):
        services.service_account_revoke(actor=request.user, account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgencyPolicyView(viewsets.GenericViewSet):
    """Two-factor sign-in, the idle-session timeout and the justification rules of the agency."""

    serializer_class = s.AgencyPolicySerializer

    @extend_schema(summary="The admin's agency policy", responses={200: s.AgencyPolicySerializer, 403: ADMINS_ONLY})
    def retrieve(self, request):
        return Response(s.AgencyPolicySerializer(administered_agency(request.user)).data)

    @extend_schema(summary="Change some of the agency policy", request=s.AgencyPolicyInputSerializer,
                   responses={200: s.AgencyPolicySerializer, 403: ADMINS_ONLY})
    def partial_update(self, request):
        data = s.AgencyPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = services.agency_policy_update(actor=request.user, **data.validated_data)
        return Response(s.AgencyPolicySerializer(agency).data)
