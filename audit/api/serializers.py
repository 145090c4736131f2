from rest_framework import serializers

from ..models import AuditEvent, Operation


class ActorSerializer(serializers.Serializer):
    username = serializers.CharField(source="actor_username")
    agency = serializers.CharField(source="actor_agency")
    role = serializers.CharField(source="actor_role")


class AuditObjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="object_type")
    id = serializers.CharField(source="object_id")
    case = serializers.UUIDField(source="case_id", allow_null=True)


class AuditEventSerializer(serializers.ModelSerializer):
    """Who did what, when, why and to whom. An alteration lists the fields it changed, never
    their values: auditors see no case content (AuditEventWithChangesSerializer shows them on a
    case's own trail, to those who may see the case)."""

    actor = ActorSerializer(source="*")
    object = AuditObjectSerializer(source="*")
    fields_changed = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "operation", "action", "actor", "object", "justification", "recipient",
                  "handling_code", "request_id", "fields_changed"]

    def get_fields_changed(self, event) -> list[str]:
        return sorted(event.changes) if event.operation == Operation.ALTERATION else []


class AuditEventWithChangesSerializer(AuditEventSerializer):
    class Meta(AuditEventSerializer.Meta):
        fields = [*AuditEventSerializer.Meta.fields, "changes"]
