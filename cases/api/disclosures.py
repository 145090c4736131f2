"""/api/v1/agency/disclosures/: every share and named grant of the admin's agency's cases, and
their withdrawal (API.md, "Agency administration"). The admin sees each case's reference,
never its content, and revokes through the sharing services (agency_disclosure_revoke)."""
import base64
import binascii
import datetime
import uuid

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from coordination.api.pagination import invalid_cursor

from ..models import CaseShare
from ..selectors_disclosures import agency_disclosures
from ..services.sharing import agency_disclosure_revoke
from .serializers import ShareRevokeSerializer

NOT_VISIBLE = OpenApiResponse(description="Not found, or not a disclosure of the caller's agency's cases")
ADMINS_ONLY = OpenApiResponse(description="Only the agency's administrators")
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class DisclosedCaseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class DisclosureSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The share's or named grant's id; DELETE it here to revoke.")
    kind = serializers.SerializerMethodField(help_text="share: to an agency; grant: to a named user")
    case = DisclosedCaseSerializer()
    recipient = serializers.SerializerMethodField(help_text="The agency code (share) or the username (grant)")
    level = serializers.CharField()
    granted_by = serializers.CharField(source="granted_by.username", allow_null=True, default=None)
    since = serializers.DateTimeField(source="created_at")
    updated_at = serializers.DateTimeField()

    def get_kind(self, disclosure) -> str:
        return "share" if isinstance(disclosure, CaseShare) else "grant"

    def get_recipient(self, disclosure) -> str:
        return disclosure.agency.code if isinstance(disclosure, CaseShare) else disclosure.user.username


class DisclosurePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DisclosureSerializer(many=True)


def _position(cursor: str) -> tuple[datetime.datetime, uuid.UUID]:
    """The (since, id) after which a page starts; a mangled cursor is a 400, as everywhere."""
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii").split("|")
        since = datetime.datetime.fromisoformat(at)
        if since.tzinfo is None:
            raise ValueError("naive")
        return since.astimezone(datetime.timezone.utc), uuid.UUID(pk)
    except (UnicodeError, binascii.Error, ValueError, TypeError, OverflowError):
        raise invalid_cursor() from None


def _cursor(disclosure) -> str:
    return base64.urlsafe_b64encode(f"{disclosure.created_at.isoformat()}|{disclosure.pk}".encode()).decode()


def _page_size(request) -> int:
    try:
        return min(max(int(request.query_params.get("page_size", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except (TypeError, ValueError, OverflowError):
        return PAGE_SIZE


class DisclosureViewSet(viewsets.GenericViewSet):
    """Newest first, shares and grants merged: one keyset page from each, merged in memory,
    so each page is two indexed queries whatever the agency's number of disclosures."""

    serializer_class = DisclosureSerializer
    pagination_class = None
    lookup_url_kwarg = "disclosure_id"
    lookup_value_converter = "uuid"

    @extend_schema(summary="Every share and named grant of the agency's cases, newest first",
                   parameters=[OpenApiParameter("cursor", str, description="The pagination cursor value."),
                               OpenApiParameter("page_size", int, description="At most 200.")],
                   responses={200: DisclosurePageSerializer, 403: ADMINS_ONLY})
    def page(self, request):
        # Not DRF's `list`: the page is built here, and the schema describes it as it is.
        size, cursor = _page_size(request), request.query_params.get("cursor")
        after = _position(cursor) if cursor else None
        rows = []
        for disclosures in agency_disclosures(user=request.user):
            if after:
                disclosures = disclosures.filter(Q(created_at__lt=after[0]) | Q(created_at=after[0], id__lt=after[1]))
            rows += disclosures.order_by("-created_at", "-id")[: size + 1]
        rows.sort(key=lambda row: (row.created_at, row.pk), reverse=True)
        page = rows[:size]
        following = (replace_query_param(request.build_absolute_uri(), "cursor", _cursor(page[-1]))
                     if len(rows) > size else None)
        return Response({"next": following, "previous": None,
                         "results": DisclosureSerializer(page, many=True).data})

    @extend_schema(summary="Revoke a share or named grant of one of the agency's cases",
                   request=ShareRevokeSerializer, responses={204: None, 403: ADMINS_ONLY, 404: NOT_VISIBLE})
    def destroy(self, request, disclosure_id=None):
        data = ShareRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency_disclosure_revoke(actor=request.user, disclosure_id=disclosure_id,
                                 justification=data.validated_data.get("justification", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)
