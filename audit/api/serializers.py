from rest_framework import serializers

from ..models import AuditEvent


class ActorSerializer(serializers.Serializer):
    username = serializers.CharField(source="actor_username")
    agency = serializers.CharField(source="actor_agency")
    role = serializers.CharField(source="actor_role")


class AuditObjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="object_type")
    id = serializers.CharField(source="object_id")
    case = serializers.UUIDField(source="case_id", allow_null=True)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = ActorSerializer(source="*")
    object = AuditObjectSerializer(source="*")

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "operation", "action", "actor", "object", "justification", "recipient",
                  "handling_code", "request_id", "changes"]
