from django.core.exceptions import FieldDoesNotExist
from django.utils.encoding import force_str
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from coordination import keyset


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
        try:
            value = keyset.position_value(field, position)
        except keyset.InvalidCursor:
            raise invalid_cursor() from None
        # The form DRF itself gives a position (str of the attribute), so its link logic compares alike.
        return str(value)


class KeysetPagination(NewestFirstCursorPagination):
    """Pages by keyset in any of `orderings` (`?ordering=title`, `-title` descending): see
    coordination.keyset. The same body, page size and answer to a mangled cursor as every other
    list; an ordering that is not offered answers 400 naming it."""

    orderings: dict[str, str] = {}  # public name: model field (no NULLs, with an index on (field, id))
    default_ordering = ""
    ordering_query_param = "ordering"

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.base_url = request, request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.keyset_ordering = self._requested_ordering(request)
        cursor = None
        if (encoded := request.query_params.get(self.cursor_query_param)) is not None:
            try:
                cursor = keyset.decode_cursor(encoded, queryset.model, self.keyset_ordering)
            except keyset.InvalidCursor:
                raise invalid_cursor() from None
        self.keyset_page = keyset.keyset_page(queryset, self.keyset_ordering, cursor, self.page_size)
        return self.keyset_page.rows

    def _requested_ordering(self, request) -> keyset.Ordering:
        name = request.query_params.get(self.ordering_query_param) or self.default_ordering
        ordering = keyset.Ordering.parse(name, self.orderings)
        if ordering is None:
            choices = ", ".join(f"{key}, -{key}" for key in self.orderings)
            raise ValidationError({self.ordering_query_param: [f"Choose one of {choices}."]})
        return ordering

    def _link(self, cursor: keyset.Cursor | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, keyset.encode_cursor(cursor))

    def get_next_link(self):
        return self._link(self.keyset_page.next)

    def get_previous_link(self):
        return self._link(self.keyset_page.previous)

    def get_html_context(self):
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(),
                "first_url": remove_query_param(self.base_url, self.cursor_query_param)}

    def get_schema_operation_parameters(self, view):
        choices = [name for key in self.orderings for name in (key, f"-{key}")]
        return [*super().get_schema_operation_parameters(view), {
            "name": self.ordering_query_param, "required": False, "in": "query",
            "description": force_str(f"Sort order, `-` for descending (default {self.default_ordering}); "
                                     "pages by keyset on the column and the id."),
            "schema": {"type": "string", "enum": choices},
        }]
