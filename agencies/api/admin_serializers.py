"""API shapes for agency administration: inputs validate and hand over to one service; outputs
render what a selector returned. No secret leaves here except a new key, once."""
from django.contrib.auth import get_user_model
from rest_framework import serializers

from coordination.api.serializers import StrictInputSerializer

from ..models import Agency, Membership, Role, ServiceAccount
from ..services_admin import SERVICE_ACCOUNT_ROLES

User = get_user_model()


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user.pk", help_text="The member's user id (stable across role changes).")
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email", help_text="Blank for people created without one.")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    role = serializers.ChoiceField(choices=Role.choices)
    active = serializers.BooleanField(source="user.is_active", help_text="False once deactivated.")
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)
    member_since = serializers.DateTimeField(source="user.date_joined")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "first_name", "last_name", "role", "active", "last_login",
                  "member_since"]


class MemberInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberRoleSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class ServiceAccountSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", help_text="The actor name in the audit trail.")
    role = serializers.SerializerMethodField()
    allowed_ips = serializers.ListField(child=serializers.CharField())
    key_prefix = serializers.CharField(source="token.prefix", allow_null=True, default=None)
    expires_at = serializers.DateTimeField(source="token.expires_at", allow_null=True, default=None)
    last_used_at = serializers.DateTimeField(source="token.last_used_at", allow_null=True, default=None)

    class Meta:
        model = ServiceAccount
        fields = ["id", "name", "username", "role", "allowed_ips", "key_prefix", "expires_at", "last_used_at",
                  "created_at", "revoked_at"]

    def get_role(self, account) -> str:
        # The memberships are prefetched (agency_service_accounts): no query per row.
        return next((m.role for m in account.user.memberships.all() if m.active), "")


class ServiceAccountInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=SERVICE_ACCOUNT_ROLES)
    expires_at = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="When the key stops working; absent or null: never.")
    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=100,
        help_text="CIDR networks (e.g. 192.0.2.0/24) the key is accepted from; empty: from anywhere.",
    )


class ServiceAccountCreatedSerializer(serializers.ModelSerializer):
    key = serializers.CharField(help_text='The key, sent as "Authorization: Token <key>"; shown only in this response.')

    class Meta:
        model = ServiceAccount
        fields = ["id", "name", "key"]


class AgencyPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["require_2fa", "session_idle_minutes", "justify_foreign_consultation", "justify_exports"]


class AgencyPolicyInputSerializer(StrictInputSerializer):
    require_2fa = serializers.BooleanField(required=False)
    session_idle_minutes = serializers.IntegerField(required=False, min_value=5, max_value=720)
    justify_foreign_consultation = serializers.BooleanField(required=False)
    justify_exports = serializers.BooleanField(required=False)
