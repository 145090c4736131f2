"""API shapes for cases. Input serializers validate and hand over to one service; output
serializers render what a selector returned. Permission logic lives in neither."""
from rest_framework import serializers

from agencies.api.serializers import AgencyRefSerializer
from agencies.selectors import active_membership
from coordination.api.serializers import StrictInputSerializer

from ..choices import (
    Concealment,
    DetectionMethod,
    DrugCategory,
    DrugForm,
    HandlingCode,
    IdentifierKind,
    InformationAssessment,
    PartyKind,
    PartyRole,
    RouteRole,
    ShareLevel,
    SourceReliability,
    Status,
    TransportMode,
    Unit,
)
from ..models import Case, CaseGrant, CaseShare, Identifier, Note, Party, RouteLeg, SeizureItem


class CaseListSerializer(serializers.ModelSerializer):
    owner_agency = AgencyRefSerializer()
    access = serializers.ChoiceField(choices=["owner", "manage", "contribute", "view"])

    class Meta:
        model = Case
        fields = ["id", "reference", "title", "status", "owner_agency", "port", "seized_at", "handling_code", "access"]


class SeizureSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeizureItem
        fields = ["id", "drug", "form", "quantity", "unit", "packages", "brick_marking", "purity", "concealment",
                  "detection", "transport_mode", "created_at"]


class IdentifierSerializer(serializers.ModelSerializer):
    raw_value = serializers.CharField()

    class Meta:
        model = Identifier
        fields = ["id", "kind", "value", "raw_value", "override_reason", "matching_excluded", "created_at"]
        read_only_fields = ["matching_excluded"]


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "kind", "role", "name", "date_of_birth", "country", "registration", "created_at"]


class RouteLegSerializer(serializers.ModelSerializer):
    class Meta:
        model = RouteLeg
        fields = ["id", "sequence", "locode", "role", "date", "created_at"]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = Note
        fields = ["id", "text", "source_reliability", "information_assessment", "author", "created_at"]


class ShareSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer()
    granted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseShare
        fields = ["id", "agency", "level", "granted_by", "created_at", "updated_at"]


class GrantSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    agency = serializers.SerializerMethodField()
    granted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseGrant
        fields = ["id", "username", "agency", "level", "granted_by", "created_at", "updated_at"]

    def get_agency(self, grant) -> str | None:
        membership = active_membership(grant.user)
        return membership.agency.code if membership else None


class CaseDetailSerializer(CaseListSerializer):
    referred_to = AgencyRefSerializer(allow_null=True)
    seizures = SeizureSerializer(many=True)
    identifiers = IdentifierSerializer(many=True)
    parties = PartySerializer(many=True)
    route = RouteLegSerializer(many=True)
    notes = NoteSerializer(many=True)
    shares = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "summary", "h3_conditions", "source_reliability", "information_assessment", "legal_basis",
            "review_due", "restricted", "referred_to", "version", "created_at", "updated_at",
            "seizures", "identifiers", "parties", "route", "notes", "shares",
        ]

    def get_shares(self, case) -> list[dict] | None:
        """Only the owner side sees who else holds the case."""
        if case.access not in {"owner", "manage"}:
            return None
        return ShareSerializer(case.visible_shares, many=True).data


class WriteSerializer(StrictInputSerializer):
    """Every write may say why (API.md: the body field `justification`); it goes into the
    write's audit record."""

    justification = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                          help_text="Why; recorded with the write in the audit trail.")


class MatchingExclusionSerializer(WriteSerializer):
    excluded = serializers.BooleanField(help_text="true: this value is not matched against other agencies' cases")


class CaseCreateSerializer(WriteSerializer):
    title = serializers.CharField(max_length=200)
    port = serializers.CharField(max_length=20, help_text="UN/LOCODE, e.g. NLRTM")
    seized_at = serializers.DateTimeField()
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)
    legal_basis = serializers.CharField(max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    h3_conditions = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    source_reliability = serializers.ChoiceField(choices=SourceReliability.choices, required=False, allow_blank=True)
    information_assessment = serializers.ChoiceField(
        choices=InformationAssessment.choices, required=False, allow_null=True
    )
    restricted = serializers.BooleanField(required=False, default=False)
    review_due = serializers.DateField(required=False, allow_null=True)


class CaseUpdateSerializer(CaseCreateSerializer):
    version = serializers.IntegerField(min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
        self.fields["restricted"].default = serializers.empty


class CaseCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "version", "status"]


class TransitionSerializer(WriteSerializer):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    agency = serializers.CharField(required=False, allow_blank=True, max_length=32)


class SeizureInputSerializer(WriteSerializer):
    drug = serializers.ChoiceField(choices=DrugCategory.choices)
    form = serializers.ChoiceField(choices=DrugForm.choices, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=0)
    unit = serializers.ChoiceField(choices=Unit.choices)
    packages = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    brick_marking = serializers.CharField(max_length=100, required=False, allow_blank=True)
    purity = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                      allow_null=True)
    concealment = serializers.ChoiceField(choices=Concealment.choices, required=False, allow_blank=True)
    detection = serializers.ChoiceField(choices=DetectionMethod.choices, required=False, allow_blank=True)
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, required=False, allow_blank=True)


class IdentifierInputSerializer(WriteSerializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=100)
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PartyInputSerializer(WriteSerializer):
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    registration = serializers.CharField(max_length=100, required=False, allow_blank=True)


class RouteLegInputSerializer(WriteSerializer):
    locode = serializers.CharField(max_length=10)
    role = serializers.ChoiceField(choices=RouteRole.choices)
    date = serializers.DateField(required=False, allow_null=True)


class NoteInputSerializer(WriteSerializer):
    text = serializers.CharField(max_length=20000)
    source_reliability = serializers.ChoiceField(choices=SourceReliability.choices, required=False, allow_blank=True)
    information_assessment = serializers.ChoiceField(
        choices=InformationAssessment.choices, required=False, allow_null=True
    )


class ShareInputSerializer(WriteSerializer):
    agency = serializers.CharField(max_length=32)
    level = serializers.ChoiceField(choices=ShareLevel.choices)


class GrantInputSerializer(WriteSerializer):
    username = serializers.CharField(max_length=150)
    level = serializers.ChoiceField(choices=ShareLevel.choices)


class ShareRevokeSerializer(WriteSerializer):
    """DELETE's optional body: only the reason."""
