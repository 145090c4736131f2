import datetime

import django_filters


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 with any offset the standard allows, compared in UTC: PostgreSQL refuses
    offsets beyond ±15:59 that Python parses happily."""

    def filter(self, queryset, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return super().filter(queryset, value)
