"""Browser forms: they parse input for one service call, and carry the service's field
messages back to the fields they belong to. No permission logic here."""
import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.selectors import agency_list

from .api.filters import CaseFilter
from .choices import (
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
from .models import SeizureItem
from .models_custody import CustodyPurpose
from .templatetags.portcullis import quantity
from .selectors_dashboard import ACTIVE_STATUSES, Scope, scoped
from .validators import normalise_identifier


class SiteRenderer(TemplatesSetting):
    """Fields render through templates/forms/field.html: label, input, help and errors,
    tied together with ids for screen readers."""

    field_template_name = "forms/field.html"


WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.Select: "form-select",
}


NO_CHOICE = _("—")


def blank(choices, label=NO_CHOICE) -> list:
    return [("", label), *choices]


def style_widgets(fields) -> None:
    for field in fields.values():
        css = next((css for kind, css in WIDGET_CLASSES.items() if isinstance(field.widget, kind)), "form-control")
        field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()


class SiteForm(forms.Form):
    default_renderer = SiteRenderer()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs["class"]:
                    widget.attrs["class"] += " is-invalid"

    def apply_service_errors(self, error: ValidationError) -> None:
        """A service's ValidationError, each message on the field it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


def local_minute(value: datetime.datetime | None) -> datetime.datetime | None:
    """The time as the datetime-local input shows it, so an untouched field compares equal."""
    return timezone.localtime(value).replace(second=0, microsecond=0) if value else None


class CaseForm(SiteForm):
    """Opening or editing a case. On edit every field carries its initial value in a hidden
    input, so only what the officer changed is sent to case_update (and a concurrent edit
    of another field is not overwritten)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    port = forms.CharField(label=_("Port of seizure"), max_length=12,
                           help_text=_("UN/LOCODE, e.g. NLRTM for Rotterdam."),
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))
    seized_at = forms.DateTimeField(label=_("Seized at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices,
                                      widget=forms.RadioSelect, initial=HandlingCode.H0)
    h3_conditions = forms.CharField(label=_("H3 handling conditions"), required=False,
                                    help_text=_("Only for H3: every reader acknowledges them before the first view."),
                                    widget=forms.Textarea(attrs={"rows": 2}))
    source_reliability = forms.ChoiceField(label=_("Source reliability"), required=False,
                                           choices=blank(SourceReliability.choices, _("Not evaluated")))
    information_assessment = forms.TypedChoiceField(
        label=_("Information assessment"), required=False, coerce=int, empty_value=None,
        choices=blank(InformationAssessment.choices, _("Not evaluated")))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300,
                                  help_text=_("e.g. Art. 46 Union Customs Code"))
    review_due = forms.DateField(label=_("Retention review due"), required=False,
                                 help_text=_("Left empty: one year from today."),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    restricted = forms.BooleanField(label=_("Restricted: open only to named users"), required=False,
                                    help_text=_("Not even your own agency sees it unless named."))

    def clean_port(self) -> str:
        return self.cleaned_data["port"].strip()


class CaseEditForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(label=_("Reason for the change"), required=False, max_length=500,
                                    help_text=_("Recorded in the case's audit trail."))
    EDITABLE = ("title", "summary", "port", "seized_at", "handling_code", "h3_conditions", "source_reliability",
                "information_assessment", "legal_basis", "review_due", "restricted")
    OWNER_DECIDES = ("handling_code", "h3_conditions", "restricted")

    def __init__(self, *args, owner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.EDITABLE:
            self.fields[name].show_hidden_initial = True
        self.owner = owner
        if not owner:  # the owning agency's decisions: shown, never posted (the service refuses them)
            for name in self.OWNER_DECIDES:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the owning agency changes this.")

    @classmethod
    def values_of(cls, case) -> dict:
        values = {name: getattr(case, name) for name in cls.EDITABLE}
        values["seized_at"] = local_minute(case.seized_at)
        return values

    def loaded_values(self) -> dict:
        """The values the officer's form was loaded with, from its hidden initial inputs."""
        values = {}
        for name in self.EDITABLE:
            bound = self[name]
            raw = self._widget_data_value(bound.field.hidden_widget(), bound.html_initial_name)
            try:
                values[name] = bound.field.clean(raw)
            except ValidationError:
                values[name] = None
        return values

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.EDITABLE}


class SeizureForm(SiteForm):
    drug = forms.ChoiceField(label=_("Drug"), choices=blank(DrugCategory.choices))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=14, decimal_places=3,
                                  localize=True)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    form = forms.ChoiceField(label=_("Form"), required=False, choices=blank(DrugForm.choices))
    packages = forms.IntegerField(label=_("Packages"), required=False, min_value=0)
    brick_marking = forms.CharField(label=_("Brick marking"), required=False, max_length=100)
    purity = forms.DecimalField(label=_("Purity (%)"), required=False, min_value=0, max_value=100,
                                max_digits=5, decimal_places=2, localize=True)
    concealment = forms.ChoiceField(label=_("Concealment"), required=False, choices=blank(Concealment.choices))
    detection = forms.ChoiceField(label=_("Detection"), required=False, choices=blank(DetectionMethod.choices))
    transport_mode = forms.ChoiceField(label=_("Transport mode"), required=False,
                                       choices=blank(TransportMode.choices))


class IdentifierForm(SiteForm):
    """A wrong IMO check digit is a warning: the form then asks why the number is recorded anyway."""

    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(label=_("Value"), max_length=100,
                            widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}))
    override_reason = forms.CharField(
        label=_("Why record it despite the check digit?"), required=False, max_length=500,
        help_text=_("The documents show this number; the reason goes into the audit trail."),
        widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        self.asks_override = bool(data.get("override_reason"))
        if data.get("kind") and data.get("value"):
            try:
                normalise_identifier(data["kind"], data["value"], data.get("override_reason", ""))
            except ValidationError as exc:
                self.asks_override = exc.code == "invalid_check_digit" and data["kind"] == IdentifierKind.IMO
                self.add_error("value", exc)
        return data


class PartyForm(SiteForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False,
                                    help_text=_("Persons only."),
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    country = forms.CharField(label=_("Country"), required=False, max_length=2,
                              help_text=_("Two letters, e.g. NL."))
    registration = forms.CharField(label=_("Registration"), required=False, max_length=100,
                                   help_text=_("Company or passport number."))


class RouteLegForm(SiteForm):
    locode = forms.CharField(label=_("Port or place"), max_length=12, help_text=_("UN/LOCODE, e.g. ECGYE."),
                             widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}))
    role = forms.ChoiceField(label=_("Role"), choices=RouteRole.choices)
    date = forms.DateField(label=_("Date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class NoteForm(SiteForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    source_reliability = forms.ChoiceField(label=_("Source (4x4)"), required=False,
                                           choices=blank(SourceReliability.choices, _("Not evaluated")))
    information_assessment = forms.TypedChoiceField(
        label=_("Information (4x4)"), required=False, coerce=int, empty_value=None,
        choices=blank(InformationAssessment.choices, _("Not evaluated")))


class ExhibitForm(SiteForm):
    """A physical exhibit; its number (EX-001, ...) is assigned by the service."""

    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    seal_number = forms.CharField(label=_("Seal or bag number"), required=False, max_length=100)
    holder = forms.CharField(label=_("Holder"), max_length=200, help_text=_("Who holds it now."))
    location = forms.CharField(label=_("Location"), max_length=200)
    seizure = forms.ChoiceField(label=_("From seizure"), required=False)

    def __init__(self, *args, seizures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seizure"].choices = blank(
            [(str(item.pk), f"{item.get_drug_display()}: {quantity(item.quantity)} {item.get_unit_display()}")
             for item in seizures], _("None"))


class CustodyForm(SiteForm):
    """One move of an exhibit; `events` are its earlier custody events, any of which it may correct."""

    to_holder = forms.CharField(label=_("To holder"), max_length=200)
    to_location = forms.CharField(label=_("To location"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=blank(CustodyPurpose.choices))
    seal_intact = forms.BooleanField(label=_("Seal intact"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    corrects = forms.ChoiceField(label=_("Corrects event"), required=False,
                                 help_text=_("Only when this entry corrects an earlier one, which stays as it was."))

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].choices = blank(
            [(str(event.pk), _("#%(position)s: %(purpose)s to %(holder)s") % {
                "position": position, "purpose": event.get_purpose_display().lower(), "holder": event.to_holder})
             for position, event in enumerate(events, start=1)], _("None"))


class ShareForm(SiteForm):
    agency = forms.ChoiceField(label=_("Agency"))
    level = forms.ChoiceField(label=_("Level"), choices=ShareLevel.choices, initial=ShareLevel.VIEW)
    justification = forms.CharField(label=_("Reason"), required=False, max_length=500,
                                    help_text=_("Recorded with the disclosure."))

    def __init__(self, *args, owner_agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = blank(
            [(a.code, f"{a.code} — {a.name}") for a in agency_list().filter(active=True).exclude(pk=owner_agency_id)])


class GrantForm(SiteForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("A member of any agency; their role limits what the grant allows."))
    level = forms.ChoiceField(label=_("Level"), choices=ShareLevel.choices, initial=ShareLevel.VIEW)
    justification = forms.CharField(label=_("Reason"), required=False, max_length=500,
                                    help_text=_("Recorded with the disclosure."))


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    agency = forms.CharField(required=False, max_length=32)
    reason = forms.CharField(required=False, max_length=500)


class GateForm(SiteForm):
    """Before the first view: H3 conditions acknowledged, and the reason for consulting
    another agency's case where the reader's agency asks for one (Art. 25 LED)."""

    acknowledge = forms.BooleanField(label=_("I have read these conditions and will respect them."))
    justification = forms.CharField(label=_("Why do you open this case?"), max_length=500,
                                    help_text=_("Recorded in the case's audit trail, with your name and agency."),
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, needs_ack: bool, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_ack:
            del self.fields["acknowledge"]
        if not needs_reason:
            del self.fields["justification"]


ACTIVE = "active"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class CaseListFilter(CaseFilter):
    """The browser's case list: the API's filters, plus drug, handling code, the reader's
    scopes and whole days for the date range. It only narrows the visible set."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    status = django_filters.ChoiceFilter(label=_("Status"), method="filter_status", empty_label=_("Any status"),
                                         choices=[(ACTIVE, _("Active (not closed)")), *Status.choices])
    scope = django_filters.ChoiceFilter(
        label=_("Whose"), method="filter_scope", empty_label=_("All I may see"),
        choices=[(Scope.AGENCY, _("Owned by my agency")), (Scope.SHARED, _("Shared with my agency")),
                 (Scope.REFERRED, _("Referred to my agency"))])
    port = django_filters.CharFilter(label=_("Port"), method="filter_port")
    owner_agency = django_filters.ChoiceFilter(label=_("Owner agency"), field_name="owner_agency__code",
                                               empty_label=_("Any agency"))
    drug = django_filters.ChoiceFilter(label=_("Drug"), method="filter_drug", choices=DrugCategory.choices,
                                       empty_label=_("Any drug"))
    handling_code = django_filters.ChoiceFilter(label=_("Handling code"), empty_label=_("Any code"),
                                                choices=[(c, c) for c in HandlingCode.values])
    identifier = django_filters.CharFilter(label=_("Identifier"), method="filter_identifier")
    seized_after = django_filters.DateFilter(label=_("Seized from"), method="filter_after",
                                             widget=forms.DateInput(attrs={"type": "date"}))
    seized_before = django_filters.DateFilter(label=_("Seized until"), method="filter_before",
                                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner_agency"].extra["choices"] = [(a.code, a.code) for a in agency_list()]
        self.form.fields = {name: self.form.fields[name] for name in self.FIELD_ORDER}
        style_widgets(self.form.fields)

    FIELD_ORDER = ("q", "scope", "status", "handling_code", "drug", "port", "owner_agency", "identifier",
                   "seized_after", "seized_before")

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=ACTIVE_STATUSES) if value == ACTIVE else queryset.filter(status=value)

    def filter_scope(self, queryset, name, value):
        return scoped(queryset, user=self.request.user, scope=value)

    def filter_drug(self, queryset, name, value):
        return queryset.filter(pk__in=SeizureItem.objects.filter(drug=value).values("case_id"))

    def filter_after(self, queryset, name, value):
        if value <= datetime.date.min + datetime.timedelta(days=1):
            return queryset  # "since the beginning": and a local midnight there has no UTC
        return queryset.filter(seized_at__gte=_start_of(value))

    def filter_before(self, queryset, name, value):
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(seized_at__lt=_start_of(value + datetime.timedelta(days=1)))
