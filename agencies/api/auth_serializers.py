from rest_framework import serializers

from coordination.api.serializers import StrictInputSerializer


class TokenCredentialsSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    # Passwords and codes are taken exactly as typed: trimming would change the secret.
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=16, trim_whitespace=False,
        help_text="The current two-factor code; required when the user has a confirmed device.",
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key, shown this once. Send it as `Authorization: Token <key>`.")


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
