"""Notification endpoints of /api/v1/. Thin: validate input, call one service or selector, render."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from coordination.api.pagination import NewestFirstCursorPagination
from coordination.api.viewsets import CaseScopedViewSet

from .. import services
from ..models import Notification, WebhookEndpoint
from ..selectors import (
    agency_webhook_endpoint,
    agency_webhook_endpoints,
    email_preferences,
    inbox,
    is_following,
    own_notification,
    unread_count,
    webhook_deliveries,
)
from . import serializers as s

NOT_VISIBLE = OpenApiResponse(description="Not found, or not the caller's")
ADMINS_ONLY = OpenApiResponse(description="Only agency administrators manage webhooks")


@extend_schema_view(list=extend_schema(summary="The caller's notifications, newest first"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "notification_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Notification.objects.none()
        return inbox(user=self.request.user)

    @extend_schema(summary="Mark one notification as read", request=None,
                   responses={200: s.NotificationSerializer, 404: NOT_VISIBLE})
    def read(self, request, notification_id=None):
        services.notification_mark_read(actor=request.user, notification_id=notification_id)
        return Response(s.NotificationSerializer(own_notification(user=request.user,
                                                                  notification_id=notification_id)).data)

    @extend_schema(summary="Mark all of the caller's notifications as read", request=None,
                   responses={200: s.MarkedReadSerializer})
    def read_all(self, request):
        return Response({"marked_read": services.notifications_mark_all_read(actor=request.user)})

    @extend_schema(summary="How many of the caller's notifications are unread",
                   responses={200: s.UnreadCountSerializer})
    def unread_count(self, request):
        return Response({"unread": unread_count(user=request.user)})


class EmailPreferencesView(viewsets.GenericViewSet):
    """Every notification reaches the inbox; e-mail comes at once, in a daily digest, or not at all."""

    serializer_class = s.EmailPreferencesSerializer

    @extend_schema(summary="How the caller wants each kind of notification by e-mail")
    def retrieve(self, request):
        return Response({"email": email_preferences(user=request.user)})

    @extend_schema(summary="Choose immediate, digest or off for some kinds", request=s.EmailPreferencesSerializer)
    def partial_update(self, request):
        data = s.EmailPreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_preferences_set(actor=request.user, email=data.validated_data["email"])
        return Response({"email": email_preferences(user=request.user)})


@extend_schema_view(
    retrieve=extend_schema(summary="Whether the caller follows the case"),
    create=extend_schema(summary="Follow the case", request=None, responses={200: s.FollowSerializer}),
    destroy=extend_schema(summary="Unfollow the case", responses={200: s.FollowSerializer}),
)
class CaseFollowViewSet(CaseScopedViewSet):
    """Following a case: its followers hear of status changes, notes, documents and seizures."""

    serializer_class = s.FollowSerializer

    def retrieve(self, request, case_id=None):
        return Response({"following": is_following(user=request.user, case_id=self.case.pk)})

    def create(self, request, case_id=None):
        services.case_follow(actor=request.user, case_id=self.case.pk)
        return Response({"following": True})

    def destroy(self, request, case_id=None):
        services.case_unfollow(actor=request.user, case_id=self.case.pk)
        return Response({"following": False})


@extend_schema_view(
    list=extend_schema(summary="The webhook endpoints of the admin's agency", responses={
        200: s.WebhookEndpointSerializer(many=True), 403: ADMINS_ONLY}),
    create=extend_schema(summary="Register a webhook endpoint", request=s.WebhookEndpointInputSerializer,
                         responses={201: s.WebhookEndpointCreatedSerializer, 403: ADMINS_ONLY}),
    retrieve=extend_schema(summary="One webhook endpoint", responses={200: s.WebhookEndpointSerializer,
                                                                        404: NOT_VISIBLE}),
    partial_update=extend_schema(summary="Change a webhook endpoint", request=s.WebhookEndpointUpdateSerializer,
                                 responses={200: s.WebhookEndpointSerializer, 404: NOT_VISIBLE}),
    destroy=extend_schema(summary="Remove a webhook endpoint", responses={204: None, 404: NOT_VISIBLE}),
)
class WebhookEndpointViewSet(viewsets.GenericViewSet):
    serializer_class = s.WebhookEndpointSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_url_kwarg = "endpoint_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return agency_webhook_endpoints(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.WebhookEndpointSerializer(page, many=True).data)

    def create(self, request):
        data = s.WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, _secret = services.webhook_endpoint_register(actor=request.user, **data.validated_data)
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, endpoint_id=None):
        return Response(s.WebhookEndpointSerializer(
            agency_webhook_endpoint(user=request.user, endpoint_id=endpoint_id)).data)

    def partial_update(self, request, endpoint_id=None):
        data = s.WebhookEndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(actor=request.user, endpoint_id=endpoint_id,
                                                    **data.validated_data)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, endpoint_id=None):
        services.webhook_endpoint_remove(actor=request.user, endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="The endpoint's deliveries with their attempts, newest first",
                   responses={200: s.WebhookDeliverySerializer(many=True), 404: NOT_VISIBLE})
    def deliveries(self, request, endpoint_id=None):
        endpoint = agency_webhook_endpoint(user=request.user, endpoint_id=endpoint_id)
        page = self.paginate_queryset(webhook_deliveries(endpoint=endpoint))
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)
