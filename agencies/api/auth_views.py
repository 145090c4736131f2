"""POST /api/v1/auth/token/ issues a personal token; DELETE revokes the one in use (API.md)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from coordination.client_address import client_ip

from ..authentication import ApiTokenAuthentication, TwoFactorEnrolmentRequired, user_for_token_issue
from ..tokens import api_token_issue, api_token_revoke
from .auth_serializers import ErrorDetailSerializer, IssuedTokenSerializer, TokenCredentialsSerializer

# One answer for unknown user, wrong password, inactive user and wrong or missing code.
CREDENTIALS_REFUSED = "Unable to log in with the provided credentials."
# Only once the password is proved: the user's agency requires a second factor they have not set up.
ENROL_FIRST = ("Your agency requires two-factor sign-in. Log in in the browser and set up an authenticator app "
               "first; then ask for a token with its code in `otp`.")


class ClientAddressThrottle(ScopedRateThrottle):
    """Counts per client address as Axes and the audit trail see it: X-Forwarded-For only
    through the configured proxies (NUM_PROXIES), never as the client wrote it."""

    def get_ident(self, request):
        return client_ip(request) or ""


class ApiTokenView(APIView):
    # Only the token scheme: a browser session has no token to revoke, and needs none issued.
    authentication_classes = [ApiTokenAuthentication]
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "auth_token"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Issue a personal API token",
        request=TokenCredentialsSerializer,
        responses={
            200: IssuedTokenSerializer,
            403: OpenApiResponse(ErrorDetailSerializer, description="Two-factor sign-in must be set up first."),
            429: OpenApiResponse(ErrorDetailSerializer, description="Too many failed attempts or requests."),
        },
        auth=[],
    )
    def post(self, request):
        credentials = TokenCredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        try:
            user = user_for_token_issue(request._request, **credentials.validated_data)
        except TwoFactorEnrolmentRequired:
            return Response({"detail": ENROL_FIRST, "code": "two_factor_enrolment_required"},
                            status=status.HTTP_403_FORBIDDEN)
        if user is None:
            # Returned, not raised: raising rolls back the request, and with it the audit
            # record of the refusal and the failure Axes counted towards the lockout.
            return Response({"detail": CREDENTIALS_REFUSED}, status=status.HTTP_400_BAD_REQUEST)
        _token, key = api_token_issue(user=user)
        return Response(IssuedTokenSerializer({"token": key}).data)

    @extend_schema(
        summary="Revoke the token this request is authenticated with",
        request=None,
        responses={204: None, 401: OpenApiResponse(ErrorDetailSerializer, description="No valid token.")},
    )
    def delete(self, request):
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
