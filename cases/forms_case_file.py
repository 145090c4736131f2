"""The browser's form to build the PDF case file: what the service asks for first, nothing more."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import GateForm


class CaseFileBuildForm(GateForm):
    """The H3 acknowledgement and the export reason, each only where the case file service
    needs it (case_file_export_needs)."""

    justification = forms.CharField(label=_("Why do you need the case file?"), max_length=500,
                                    help_text=_("Recorded with the file's disclosure to you, in the case's audit "
                                                "trail."),
                                    widget=forms.Textarea(attrs={"rows": 2}))
