from rest_framework import serializers

from ..models import Agency


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "country"]


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    agency = AgencyRefSerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)
