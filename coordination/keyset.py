"""Keyset pages: the next page starts after the last row's (sort value, id), never at an OFFSET.

`WHERE (key, id) > (value, id) ORDER BY key, id LIMIT n + 1` (`<` and DESC for a descending
sort) is a row-value comparison PostgreSQL runs as a range scan of an index on (key, id): a
deep page costs what the first one does, and a key shared by thousands of rows (a status, a
port) pages as exactly as a unique one. DRF's CursorPagination keeps an offset within equal
first-key values, which reads every earlier row of that value again.

A cursor is opaque to its reader: base64 of `p=<sort value>&i=<id>` (`&r=1` pages backwards,
from the first row of a page). Both values are parsed by their model fields before any query,
so a mangled cursor is bad input (InvalidCursor), never a database error.
"""
import datetime
from base64 import b64decode, b64encode
from dataclasses import dataclass
from urllib import parse

from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Ordering:
    """A sort key (a model field with no NULLs) and its direction; the id breaks ties."""

    key: str
    descending: bool = False

    @classmethod
    def parse(cls, name: str, keys: dict[str, str]) -> "Ordering | None":
        """`title` or `-title` among `keys` (public name: model field); None for anything else."""
        key = keys.get(name.removeprefix("-"))
        return cls(key, name.startswith("-")) if key else None

    def order_by(self, *, backwards: bool = False) -> tuple[str, str]:
        sign = "-" if self.descending != backwards else ""
        return f"{sign}{self.key}", f"{sign}pk"


@dataclass(frozen=True)
class Cursor:
    value: object
    id: object
    backwards: bool = False


@dataclass(frozen=True)
class Page:
    rows: list
    next: Cursor | None
    previous: Cursor | None


def position_value(field, raw: str):
    """`raw` as a value of `field` the database accepts, or InvalidCursor."""
    if "\x00" in raw:
        raise InvalidCursor("NUL")
    try:
        value = field.to_python(raw)
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:  # the positions we hand out always carry an offset
                raise ValueError("naive")
            # PostgreSQL refuses offsets beyond ±15:59 that Python parses; year-1 edges have no UTC.
            value = value.astimezone(datetime.timezone.utc)
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise InvalidCursor(raw[:50]) from None
    if getattr(field, "max_length", None) and isinstance(value, str) and len(value) > field.max_length:
        raise InvalidCursor("too long")  # no row holds it: a position we never handed out
    return value


def _text(value) -> str:
    return value.isoformat() if isinstance(value, datetime.datetime) else str(value)


def encode_cursor(cursor: Cursor) -> str:
    tokens = {"p": _text(cursor.value), "i": _text(cursor.id)}
    if cursor.backwards:
        tokens["r"] = "1"
    return b64encode(parse.urlencode(tokens).encode("utf-8")).decode("ascii")


def decode_cursor(encoded: str, model: type[Model], ordering: Ordering) -> Cursor:
    """The cursor `encoded`, its values parsed by the ordering's field and the primary key."""
    try:
        text = b64decode(encoded.encode("ascii"), validate=True).decode("utf-8")
        tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:  # not ASCII, not base64, not UTF-8, not a query string
        raise InvalidCursor("undecodable") from None
    if not {"p", "i"} <= tokens.keys() <= {"p", "i", "r"} or any(len(values) != 1 for values in tokens.values()):
        raise InvalidCursor("tokens")
    if tokens.get("r", ["1"]) != ["1"]:
        raise InvalidCursor("direction")
    return Cursor(value=position_value(model._meta.get_field(ordering.key), tokens["p"][0]),
                  id=position_value(model._meta.pk, tokens["i"][0]), backwards="r" in tokens)


def _beyond(ordering: Ordering, cursor: Cursor):
    """Rows after the cursor in the direction read (before it, reading backwards)."""
    comparison = TupleLessThan if ordering.descending != cursor.backwards else TupleGreaterThan
    return comparison(Tuple(F(ordering.key), F("pk")), (cursor.value, cursor.id))


def keyset_query(queryset: QuerySet, ordering: Ordering, cursor: Cursor | None, size: int) -> QuerySet:
    """The query of one page: `size` rows and one more, which tells whether the page has a
    neighbour that way (rows come in reading order: reversed when reading backwards)."""
    pk = queryset.model._meta.pk.attname
    if queryset._fields and not {ordering.key, pk} <= set(queryset._fields):
        # Rows of .values(): each must carry its position for the links.
        queryset = queryset.values(*queryset._fields, *({ordering.key, pk} - set(queryset._fields)))
    if cursor:
        queryset = queryset.filter(_beyond(ordering, cursor))
    return queryset.order_by(*ordering.order_by(backwards=bool(cursor and cursor.backwards)))[: size + 1]


def keyset_page(queryset: QuerySet, ordering: Ordering, cursor: Cursor | None, size: int) -> Page:
    """One page of `queryset` in `ordering`, from `cursor` (None: the first page), in one query."""
    backwards = bool(cursor and cursor.backwards)
    rows = list(keyset_query(queryset, ordering, cursor, size))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    # Reading forwards from a cursor, the cursor's row precedes the page; reading backwards, it follows.
    has_previous, has_next = (more, True) if backwards else (cursor is not None, more)
    if not rows:
        return Page(rows, None, None)
    pk = queryset.model._meta.pk.attname
    first, last = (_position(row, ordering.key, pk) for row in (rows[0], rows[-1]))
    return Page(rows, next=Cursor(*last) if has_next else None,
                previous=Cursor(*first, backwards=True) if has_previous else None)


def _position(row, key: str, pk: str) -> tuple:
    return (row[key], row[pk]) if isinstance(row, dict) else (getattr(row, key), getattr(row, pk))
