import django_filters

from coordination.api.filters import UtcIsoDateTimeFilter

from ..models import AuditEvent, Operation


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_username", help_text="Username")
    case = django_filters.UUIDFilter(field_name="case_id")
    operation = django_filters.ChoiceFilter(choices=Operation.choices)
    since = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = []
