"""/api/v1/agency/: an agency admin's part in their members' sign-in security (API.md,
"Agency administration"): reset a lost second factor, see and lift login lockouts.

As agencies.api.admin_views: each action calls one service or selector, which asks
administered_agency() first (403 for every other role) and looks the member up inside the
admin's agency (404 for another agency's).
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..lockouts import agency_lockouts, member_lockout_lift
from ..two_factor import member_two_factor_reset

NOT_VISIBLE = OpenApiResponse(description="Not found, or not of the caller's agency")
ADMINS_ONLY = OpenApiResponse(description="Only the agency's administrators")


class LockoutSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(help_text="The member's user id, as in /agency/members/.")
    username = serializers.CharField()
    ip_address = serializers.CharField(allow_null=True, help_text="The address the failures came from.")
    failures = serializers.IntegerField()
    last_failure_at = serializers.DateTimeField()
    locked_until = serializers.DateTimeField(help_text="When the lockout lapses by itself.")


class LockoutPageSerializer(serializers.Serializer):
    """API.md's list shape, always one page: a lockout lapses within AXES_COOLOFF_TIME, so there
    are never more than the agency's members times the addresses they failed from."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LockoutSerializer(many=True)


class MemberTwoFactorResetView(APIView):
    @extend_schema(summary="Reset a member's second factor (a lost phone): their app and backup codes are removed",
                   request=None, responses={204: None, 403: ADMINS_ONLY, 404: NOT_VISIBLE})
    def post(self, request, member_id: int):
        member_two_factor_reset(actor=request.user, member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LockoutListView(APIView):
    @extend_schema(summary="The login lockouts of the admin's agency's members",
                   responses={200: LockoutPageSerializer, 403: ADMINS_ONLY})
    def get(self, request):
        page = {"next": None, "previous": None, "results": agency_lockouts(actor=request.user)}
        return Response(LockoutPageSerializer(page).data)


class LockoutView(APIView):
    @extend_schema(summary="Lift a member's login lockouts, from every address",
                   responses={204: None, 403: ADMINS_ONLY, 404: NOT_VISIBLE})
    def delete(self, request, username: str):
        member_lockout_lift(actor=request.user, username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)
