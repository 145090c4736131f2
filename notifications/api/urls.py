"""The notification paths of /api/v1/, included by coordination.api.urls."""
from django.urls import path

from . import views

WEBHOOK_DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    path("notifications/", views.NotificationViewSet.as_view({"get": "list"}), name="notification-list"),
    path("notifications/unread-count/", views.NotificationViewSet.as_view({"get": "unread_count"}),
         name="notification-unread-count"),
    path("notifications/read-all/", views.NotificationViewSet.as_view({"post": "read_all"}),
         name="notification-read-all"),
    path("notifications/<uuid:notification_id>/read/", views.NotificationViewSet.as_view({"post": "read"}),
         name="notification-read"),
    path("notifications/preferences/",
         views.EmailPreferencesView.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="notification-preferences"),
    path("cases/<uuid:case_id>/follow/",
         views.CaseFollowViewSet.as_view({"get": "retrieve", "post": "create", "delete": "destroy"}),
         name="case-follow"),
    path("webhooks/", views.WebhookEndpointViewSet.as_view({"get": "list", "post": "create"}), name="webhook-list"),
    path("webhooks/<uuid:endpoint_id>/", views.WebhookEndpointViewSet.as_view(WEBHOOK_DETAIL),
         name="webhook-detail"),
    path("webhooks/<uuid:endpoint_id>/deliveries/", views.WebhookEndpointViewSet.as_view({"get": "deliveries"}),
         name="webhook-deliveries"),
]
