"""API shapes for notifications: inputs validate and hand over to one service; outputs render
what a selector returned."""
from rest_framework import serializers

from coordination.api.serializers import StrictInputSerializer

from ..kinds import Kind
from ..models import DeliveryStatus, EmailMode, Notification, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()
    case = serializers.UUIDField(source="visible_case", allow_null=True, read_only=True,
                                 help_text="The case, while the caller can still see it; otherwise null.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "created_at", "read", "text", "case"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class EmailPreferencesSerializer(StrictInputSerializer):
    """E-mail per kind of notification."""

    email = serializers.DictField(
        child=serializers.ChoiceField(choices=EmailMode.choices),
        help_text="Kind of notification -> immediate, digest or off. In a PATCH, only the kinds to change.",
    )


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class WebhookEndpointSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code")
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "agency", "url", "description", "kinds", "active", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The HMAC-SHA256 signing secret; shown only in this response.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInputSerializer(StrictInputSerializer):
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices), required=False,
                                  help_text="Kinds to send; empty or absent: every kind.")


class WebhookEndpointUpdateSerializer(WebhookEndpointInputSerializer):
    url = serializers.CharField(max_length=500, required=False)
    active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(source="event.kind", choices=Kind.choices)
    case = serializers.UUIDField(source="event.case_id", allow_null=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "kind", "case", "status", "attempts", "created_at", "delivered_at", "attempt_log"]
