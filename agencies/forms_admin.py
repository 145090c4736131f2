"""Browser forms of an agency's own administrators. They parse input for one service of
agencies.services_admin (or the sharing services) and carry the service's field messages back
to the fields they name; the services decide who may do what."""
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import SiteForm

from .models import Role
from .services_admin import SERVICE_ACCOUNT_ROLES


class MemberCreateForm(SiteForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("What they log in with: letters, digits and @ . + - _ only."),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                             "autocapitalize": "none"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             help_text=_("The link to choose a password goes to this address."),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OFFICER)


class MemberRoleForm(SiteForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices,
                             help_text=_("Their sessions end at once; they log in again with the new role."))


def _networks(text: str) -> list[str]:
    return [part for part in text.replace(",", "\n").split() if part]


class ServiceAccountForm(SiteForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("The system that will use the key, e.g. “Seizure register export”."))
    role = forms.ChoiceField(label=_("Role"), choices=[(role, Role(role).label) for role in SERVICE_ACCOUNT_ROLES],
                             widget=forms.RadioSelect, initial=Role.ANALYST,
                             help_text=_("An analyst reads; an officer can also write."))
    expires_at = forms.DateTimeField(label=_("Expires"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"),
                                     help_text=_("Leave empty for a key that works until it is revoked."))
    allowed_ips = forms.CharField(label=_("Allowed addresses"), required=False, max_length=6_500,
                                  widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
                                  help_text=_("IP networks in CIDR notation (e.g. 192.0.2.0/24), one a line. "
                                              "Empty: the key works from any address."))

    def clean_allowed_ips(self) -> list[str]:
        networks = _networks(self.cleaned_data["allowed_ips"])
        if len(networks) > 100:
            raise forms.ValidationError(_("At most 100 networks."))
        return networks


class AgencyPolicyForm(SiteForm):
    require_2fa = forms.BooleanField(label=_("Members must sign in with a second factor"), required=False,
                                     help_text=_("Members without an authenticator app, you included, are sent to "
                                                 "set one up at their next page, and reach nothing else first."))
    session_idle_minutes = forms.IntegerField(label=_("Idle session timeout (minutes)"), min_value=5,
                                              max_value=720,
                                              help_text=_("A browser session ends after this many minutes "
                                                          "without a request: from 5 to 720."))
    justify_foreign_consultation = forms.BooleanField(
        label=_("A justification is required to first open another agency's case"), required=False)
    justify_exports = forms.BooleanField(label=_("A justification is required for every export"), required=False)


class DisclosureRevokeForm(SiteForm):
    justification = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("Optional; recorded with the revocation in the audit trail."))
