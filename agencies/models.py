import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_country_code


class AgencyKind(models.TextChoices):
    CUSTOMS = "customs", _("Customs")
    POLICE = "police", _("Police")
    LIAISON = "liaison", _("Liaison bureau")
    PROSECUTION = "prosecution", _("Prosecution")
    PORT_AUTHORITY = "port_authority", _("Port authority")


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    ANALYST = "analyst", _("Analyst")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    AUDITOR = "auditor", _("Auditor")


class Agency(models.Model):
    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]+(-[A-Z0-9]+)*$", _("Use upper-case letters, digits and dashes."))],
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    country = models.CharField(max_length=2, validators=[validate_country_code])
    active = models.BooleanField(default=True)
    # Audit policy: when this agency's members must state why they look (LED Art. 25).
    justify_foreign_consultation = models.BooleanField(
        default=True, help_text=_("A justification is required to first open a case owned by another agency.")
    )
    justify_exports = models.BooleanField(default=True, help_text=_("A justification is required for every export."))
    # Account policy, set by the agency's own admins (agencies.services_admin.agency_policy_update).
    require_2fa = models.BooleanField(default=True, help_text=_("Members must sign in with a second factor."))
    session_idle_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(720)],
        help_text=_("A browser session ends after this many minutes without a request."),
    )
    # Guardian object permissions for shares are granted to this group.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency", editable=False, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"agency:{self.code}")
        super().save(*args, **kwargs)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(active=True), name="one_active_membership_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice for choice, _label in Role.choices]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code} ({self.role})"


class ApiToken(models.Model):
    """A personal API token for an agency system acting as its user.

    Only the SHA-256 of the key is stored: the key is 256 random bits, so a plain hash cannot
    be reversed, and a copy of the database yields no usable token.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text=_("The key's first characters, to tell tokens apart.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class ServiceAccount(models.Model):
    """An agency system that calls the API: a user of its own, with an active membership as an
    officer or analyst, and one ApiToken. The access policy therefore treats it as any member of
    that role; only the token check (agencies.authentication) adds its address allow-list.

    Never deleted: revocation removes the token and deactivates the user, so the account's acts
    in the audit trail keep their actor.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_accounts")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account")
    name = models.CharField(max_length=100)
    token = models.OneToOneField(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    allowed_ips = models.JSONField(
        default=list, blank=True, help_text=_("CIDR networks the key is accepted from; empty: from anywhere.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"
