"""Browser forms of H1 evidence use: the prosecutor's request and the owner's decision. They
parse input for one service call (cases.services.evidence); the service decides."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import SiteForm


class EvidenceRequestForm(SiteForm):
    """The items of the case to use as evidence (checkboxes, "type:id"), and why."""

    items = forms.MultipleChoiceField(label=_("Items to use as evidence"), widget=forms.CheckboxSelectMultiple)
    justification = forms.CharField(label=_("Why does the prosecution need these items?"), max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("The owning agency reads this before it decides; it is recorded "
                                                "in the case's audit trail."))

    def __init__(self, *args, item_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = item_choices

    def clean_items(self) -> list[dict]:
        return [dict(zip(("type", "id"), value.split(":", 1))) for value in self.cleaned_data["items"]]


class EvidenceDecisionForm(SiteForm):
    """Grant or refuse, with a reason (required to refuse): one form, two buttons."""

    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("refuse", _("Refuse"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required to refuse; the prosecutor reads it."))

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "grant"
