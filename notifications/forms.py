from django import forms

from .kinds import Kind
from .models import EmailMode


class EmailPreferencesForm(forms.Form):
    """One choice per kind of notification: at once, in the daily digest, or not by e-mail."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=EmailMode.choices, initial=current[kind],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
