import datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination


def invalid_cursor() -> ValidationError:
    return ValidationError({"cursor": ["Invalid cursor."]})


def _ordering_field(model, ordering: str):
    """The model field a cursor's position is compared with (the first ordering key)."""
    field, path = None, ordering.lstrip("-").split("__")
    for name in path:
        field = model._meta.get_field(name)
        model = field.related_model or model
    return field


class NewestFirstCursorPagination(CursorPagination):
    """Cursor pagination: stable under inserts, and no COUNT(*) over the visible set.

    Every list of /api/v1/ pages with this class or a subclass that only changes `ordering`,
    so a mangled cursor answers alike everywhere: 400 `{"cursor": ["Invalid cursor."]}`. DRF
    checks the offset and direction of a cursor but filters on its position as given, so a
    position that is no value of the ordering field (`p=garbage` on an integer id: ValueError;
    an offset PostgreSQL refuses; a NUL) reached the database. Here the position is parsed by
    the ordering field itself, and passed on in the form the database accepts.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        # A cursor the caller mangled is bad input (400), not a missing page.
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        if cursor is None or cursor.position is None:
            return cursor
        return Cursor(offset=cursor.offset, reverse=cursor.reverse, position=self._checked_position(cursor.position))

    def _checked_position(self, position: str) -> str:
        try:  # DRF sets `ordering` (a tuple) before it decodes the cursor
            field = _ordering_field(self._model, self.ordering[0])
        except FieldDoesNotExist:  # an annotation: nothing to check it against
            return position
        if "\x00" in position:
            raise invalid_cursor()
        try:
            value = field.to_python(position)
            if isinstance(value, datetime.datetime):
                if value.tzinfo is None:  # the positions we hand out always carry an offset
                    raise ValueError("naive")
                # PostgreSQL refuses offsets beyond ±15:59 that Python parses; year-1 edges have no UTC.
                value = value.astimezone(datetime.timezone.utc)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise invalid_cursor() from None
        # The form DRF itself gives a position (str of the attribute), so its link logic compares alike.
        return str(value)
