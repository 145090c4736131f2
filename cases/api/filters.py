"""Case list filters. They narrow the visible set only, so a filter can never reveal a case
the caller may not see (filtering by an invisible case's container simply matches nothing)."""
import re

import django_filters

from coordination.api.filters import UtcIsoDateTimeFilter
from django.core.exceptions import ValidationError
from django.db.models import Q

from ..choices import IdentifierKind, Status
from ..models import Case, Identifier
from ..search import search_condition
from ..validators import normalise_identifier


def identifier_candidates(value: str) -> set[str]:
    """Every normalised form `value` could take, so any spelling of an identifier matches."""
    candidates = {re.sub(r"[\s\-./]", "", value).upper()}
    for kind in IdentifierKind.values:
        try:
            candidates.add(normalise_identifier(kind, value, override_reason="search").value)
        except ValidationError:
            continue
    return candidates - {""}


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    port = django_filters.CharFilter(method="filter_port", help_text="UN/LOCODE")
    owner_agency = django_filters.CharFilter(field_name="owner_agency__code", help_text="Agency code")
    q = django_filters.CharFilter(method="filter_text", help_text="Full-text search: title, summary, party names")
    identifier = django_filters.CharFilter(method="filter_identifier", help_text="Any identifier value")
    seized_after = UtcIsoDateTimeFilter(field_name="seized_at", lookup_expr="gte")
    seized_before = UtcIsoDateTimeFilter(field_name="seized_at", lookup_expr="lte")

    class Meta:
        model = Case
        fields = []

    def filter_port(self, queryset, name, value):
        return queryset.filter(port=re.sub(r"\s", "", value).upper())

    def filter_text(self, queryset, name, value):
        return queryset.filter(search_condition(value[:200]))

    def filter_identifier(self, queryset, name, value):
        values = identifier_candidates(value[:100])
        return queryset.filter(Q(pk__in=Identifier.objects.filter(value__in=values).values("case_id")))
