"""Seizure cases and their parts.

Every read of these models goes through cases.access; writes go through cases.services.
"""
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from agencies.validators import validate_country_code

from .choices import (
    Concealment,
    DetectionMethod,
    DocumentKind,
    DrugCategory,
    DrugForm,
    HandlingCode,
    IdentifierKind,
    InformationAssessment,
    MatchKeyKind,
    PartyKind,
    PartyRole,
    RouteRole,
    ShareLevel,
    SourceReliability,
    Status,
    TransportMode,
    Unit,
)
from .validators import validate_locode


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=32, unique=True, editable=False)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases")
    # The owner's code, for the list's owner sort: an index on (owner_code, id) pages it, a join
    # to the agency cannot. A case never changes owner and an agency never changes code.
    owner_code = models.CharField(max_length=32, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    port = models.CharField(max_length=5, validators=[validate_locode], help_text=_("UN/LOCODE, e.g. NLRTM"))
    seized_at = models.DateTimeField()
    handling_code = models.CharField(max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0)
    h3_conditions = models.TextField(blank=True)
    source_reliability = models.CharField(max_length=1, choices=SourceReliability.choices, blank=True)
    information_assessment = models.PositiveSmallIntegerField(
        choices=InformationAssessment.choices, null=True, blank=True
    )
    legal_basis = models.CharField(max_length=300)
    review_due = models.DateField(null=True, blank=True, help_text=_("Data-retention review date"))
    restricted = models.BooleanField(default=False, help_text=_("Open only to named users"))
    referred_to = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="referred_cases"
    )
    version = models.PositiveIntegerField(default=1)
    # Maintained by cases.search on PostgreSQL (GIN-indexed); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-seized_at", "-id"]
        permissions = [
            ("contribute_case", "Can add parts and notes to the case"),
            ("manage_case", "Can edit, share and move the case through its workflow"),
        ]
        # Every sort of the list has its (key, id) index, walked in either direction by keyset
        # pages (coordination.keyset); reference is unique, so its own index serves.
        indexes = [
            models.Index(fields=["owner_agency", "-seized_at"]),
            models.Index(fields=["-seized_at", "-id"]),
            models.Index(fields=["title", "id"], name="case_title_keyset"),
            models.Index(fields=["status", "id"], name="case_status_keyset"),
            models.Index(fields=["port", "id"], name="case_port_keyset"),
            models.Index(fields=["handling_code", "id"], name="case_handling_keyset"),
            models.Index(fields=["owner_code", "id"], name="case_owner_keyset"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(handling_code=HandlingCode.H3) | ~Q(h3_conditions=""),
                name="case_h3_needs_conditions",
                violation_error_message=_("An H3 case needs its handling conditions."),
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(condition=~Q(owner_code=""), name="case_owner_code_set"),
        ]

    def __str__(self) -> str:
        # Reference only: str() reaches the admin, logs and related-object lists.
        return self.reference

    def save(self, *args, **kwargs):
        if not self.owner_code:  # case_create sets it; so does every other way a case is saved
            self.owner_code = self.owner_agency.code
        super().save(*args, **kwargs)


class CaseReferenceCounter(models.Model):
    """The last sequence number handed out per port and year; its row lock serialises references."""

    port = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["port", "year"], name="one_counter_per_port_year")]


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Named-user grants (restricted cases), with a real foreign key for indexed joins."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Agency shares, granted to the agency's group, with a real foreign key."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class GrantRecord(models.Model):
    """What a share and a named grant record: the level, who granted it and since when. The
    guardian permissions enforce them; these rows say who decided."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    level = models.CharField(max_length=10, choices=ShareLevel.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["created_at"]


class CaseShare(GrantRecord):
    """A share with an agency (guardian group permissions)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_shares")

    class Meta(GrantRecord.Meta):
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="one_share_per_case_agency")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agency_id} ({self.level})"


class CaseGrant(GrantRecord):
    """A named grant (guardian user permissions): the only way into a restricted case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_grants")

    class Meta(GrantRecord.Meta):
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_grant_per_case_user")]

    def __str__(self) -> str:
        return f"{self.case_id} → user {self.user_id} ({self.level})"


class CasePart(models.Model):
    """What every part of a case has: its case, who added it and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class SeizureItem(CasePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="seizures")
    drug = models.CharField(max_length=20, choices=DrugCategory.choices)
    form = models.CharField(max_length=10, choices=DrugForm.choices, blank=True)
    quantity = models.DecimalField(
        max_digits=14, decimal_places=3, validators=[MinValueValidator(0, _("A quantity cannot be negative."))]
    )
    unit = models.CharField(max_length=10, choices=Unit.choices)
    packages = models.PositiveIntegerField(null=True, blank=True)
    brick_marking = models.CharField(max_length=100, blank=True)
    purity = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Percent, 0–100"),
    )
    concealment = models.CharField(max_length=20, choices=Concealment.choices, blank=True)
    detection = models.CharField(max_length=20, choices=DetectionMethod.choices, blank=True)
    transport_mode = models.CharField(max_length=20, choices=TransportMode.choices, blank=True)

    class Meta(CasePart.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="seizure_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(purity__isnull=True) | Q(purity__gte=0, purity__lte=100), name="seizure_purity_percent"
            ),
        ]


class RouteLeg(CasePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route")
    sequence = models.PositiveSmallIntegerField()
    locode = models.CharField(max_length=5, validators=[validate_locode])
    role = models.CharField(max_length=15, choices=RouteRole.choices)
    date = models.DateField(null=True, blank=True)

    class Meta(CasePart.Meta):
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="one_leg_per_sequence")]


class Identifier(CasePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=25, choices=IdentifierKind.choices)
    raw_value = models.CharField(max_length=100)
    value = models.CharField(max_length=100, help_text=_("Normalised value, used for matching"))
    override_reason = models.TextField(blank=True, help_text=_("Why a failing check digit was accepted"))
    # Set by cases.services.matching.identifier_exclude_from_matching (audited): no match keys, no hits.
    matching_excluded = models.BooleanField(default=False, help_text=_("Not to be matched with other agencies"))

    class Meta(CasePart.Meta):
        # (value, case) serves the list's identifier filter, which has no kind.
        indexes = [models.Index(fields=["kind", "value"]), models.Index(fields=["value", "case"],
                                                                         name="identifier_value_case")]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "value"], name="one_identifier_per_case")]


class Party(CasePart):
    """A person or company in a case. Personal data: consultation is logged."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(max_length=10, choices=PartyKind.choices)
    role = models.CharField(max_length=15, choices=PartyRole.choices)
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country_code])
    registration = models.CharField(max_length=100, blank=True)

    class Meta(CasePart.Meta):
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PartyKind.PERSON) | Q(date_of_birth__isnull=True),
                name="party_company_has_no_birth_date",
            )
        ]


class Note(CasePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    source_reliability = models.CharField(max_length=1, choices=SourceReliability.choices, blank=True)
    information_assessment = models.PositiveSmallIntegerField(
        choices=InformationAssessment.choices, null=True, blank=True
    )


def document_storage_name(document: "Document", filename: str) -> str:
    # Never derived from the caller's filename: no path tricks, nothing guessable.
    return f"documents/{document.case_id}/{document.id}"


class Document(CasePart):
    """A file attached to a case, in the private default storage; downloaded only through the API."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text=_("As detected from the content"))
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=document_storage_name, max_length=200)
    # Set when the stored file no longer hashes to `sha256` (cases.integrity); shown on the case.
    integrity_failed_at = models.DateTimeField(null=True, blank=True)
    integrity_checked_at = models.DateTimeField(null=True, blank=True)


class MatchKey(models.Model):
    """The keyed index for hit/no-hit matching (cases.matching): an HMAC of kind and normalised
    value, never the value itself. Written with the identifier or party it comes from, in the
    same transaction; it goes with its source and its case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="match_keys")
    # Copied from the case so that "held by another agency" needs no join.
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    identifier = models.ForeignKey(Identifier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=25, choices=MatchKeyKind.choices)
    key = models.CharField(max_length=64, help_text=_("HMAC-SHA256, hex"))

    class Meta:
        indexes = [models.Index(fields=["key", "owner_agency"], name="matchkey_key_agency")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(identifier__isnull=False, party__isnull=True)
                           | Q(identifier__isnull=True, party__isnull=False)),
                name="matchkey_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} key of case {self.case_id}"


class HitStatus(models.TextChoices):
    NEW = "new", _("New")
    REQUESTED = "requested", _("Access requested")
    GRANTED = "granted", _("Access granted")
    REFUSED = "refused", _("Access refused")
    LINKED = "linked", _("Linked (both cases visible)")


class Hit(models.Model):
    """One side of a match: `case` holds something that `other_case`, of another agency, holds
    too. Each side has its own row and sees only its own case, its own source (the identifier
    or party it holds) and the other case's agency; `other_case` is for the services only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hits")
    other_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=25, choices=MatchKeyKind.choices)
    key = models.CharField(max_length=64, help_text=_("The match key both cases hold"))
    identifier = models.ForeignKey(Identifier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=HitStatus.choices, default=HitStatus.NEW)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="hit_case_created"),
            # GET /api/v1/hits/ pages newest first over all hits, testing each for the caller: without
            # it, PostgreSQL sorts every hit for each page (bench/RESULTS.md, section 5).
            models.Index(fields=["-created_at", "-id"], name="hit_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "other_case", "key"], name="one_hit_per_cases_key"),
            models.CheckConstraint(condition=~Q(case=models.F("other_case")), name="hit_two_cases"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} hit on case {self.case_id}"

    @property
    def shown_status(self) -> str:
        """`linked` when the reader may see the other case (cases.selectors_hits annotates
        `other_visible` per reader); otherwise the stored status."""
        return HitStatus.LINKED.value if getattr(self, "other_visible", False) else self.status


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class AccessRequest(models.Model):
    """From a hit, the requesting agency asks the owner of the other case for a share.

    The two cases are kept on the request itself, so it stays whole if the hit is withdrawn;
    an approval makes the share through the sharing service (cases.services.sharing)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hit = models.ForeignKey(Hit, null=True, on_delete=models.SET_NULL, related_name="access_requests")
    # The requester's side and the case asked for (the owner's).
    requester_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=25, choices=MatchKeyKind.choices)
    key = models.CharField(max_length=64, help_text=_("The match key both cases hold"))
    level = models.CharField(max_length=10)
    justification = models.TextField()
    status = models.CharField(max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_level = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "status"], name="accessrequest_case_status"),
            models.Index(fields=["requester_agency", "-created_at"], name="accessrequest_requester"),
            models.Index(fields=["status", "expires_at"], name="accessrequest_expiry"),
        ]
        constraints = [
            # One open question per hit: a second request waits for the first answer.
            models.UniqueConstraint(fields=["hit"], condition=Q(status="pending"), name="one_pending_request_per_hit"),
        ]

    def __str__(self) -> str:
        return f"{self.requester_agency_id} asks for case {self.case_id} ({self.status})"

    def is_lapsed(self) -> bool:
        """Pending past its expiry: shown and treated as expired before the beat task marks it."""
        return self.status == AccessRequestStatus.PENDING and self.expires_at <= timezone.now()


from .models_custody import CustodyEvent, CustodyPurpose, Exhibit, ExhibitStatus  # noqa: E402,F401  (issue 16)
from .models_prosecution import (  # noqa: E402,F401  (issue 16)
    CaseFile, CaseFileStatus, EvidenceItemType, EvidenceRequest, EvidenceRequestItem, EvidenceRequestStatus)
