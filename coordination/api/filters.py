import datetime

import django_filters

EARLIEST_UTC = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
LATEST_UTC = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 with any offset the standard allows, turned into UTC here: PostgreSQL refuses
    offsets beyond ±15:59 that Python parses happily. A time at the edge of year 1 or 9999 that
    has no UTC equivalent bounds nothing more than the first or last time that has one."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.timezone.utc)
        except OverflowError:
            return EARLIEST_UTC if value.year == datetime.MINYEAR else LATEST_UTC


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
