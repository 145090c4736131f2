"""Browser forms of hit/no-hit: asking for access from a hit, deciding a request, and the
owner's "do not match". They parse input for one service call; the services decide."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ShareLevel
from .forms import SiteForm
from .services.access_requests import REQUESTABLE_LEVELS

LEVEL_CHOICES = [(level, ShareLevel(level).label) for level in REQUESTABLE_LEVELS]


class AccessRequestForm(SiteForm):
    level = forms.ChoiceField(label=_("Access asked for"), choices=LEVEL_CHOICES, initial=ShareLevel.VIEW,
                              widget=forms.RadioSelect,
                              help_text=_("View: read the case. Contribute: also add to it."))
    justification = forms.CharField(label=_("Why does your agency need this case?"), max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("The owning agency reads this before it decides; it is recorded "
                                                "in both agencies' audit trails."))


class DecisionForm(SiteForm):
    """Approve at a level up to the one asked, or refuse with a reason: one form, two buttons."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
                                 widget=forms.HiddenInput)
    level = forms.ChoiceField(label=_("Level to grant"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required to refuse; recorded with the decision."))

    def __init__(self, *args, asked: str, **kwargs):
        super().__init__(*args, **kwargs)
        # At most the level asked for; the service checks it again.
        allowed = REQUESTABLE_LEVELS[: REQUESTABLE_LEVELS.index(asked) + 1] if asked in REQUESTABLE_LEVELS \
            else REQUESTABLE_LEVELS
        self.fields["level"].choices = [(level, ShareLevel(level).label) for level in allowed]
        self.fields["level"].initial = allowed[-1]

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class MatchingForm(forms.Form):
    excluded = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
    justification = forms.CharField(required=False, max_length=500)
