"""Integer query parameters of the browser pages, parsed in one place: a bad value is a 400
naming the parameter, never a 500 (page numbers keep their old tolerance of what is no
number at all: see query_page).

Before this, each page parsed its own: `'²'.isdigit()` is true but `int('²')` fails
(ValueError), and `int('999999999999999999999')` succeeds but is no PostgreSQL bigint
(DataError in the OFFSET); `int('١٢')` is 12. Only ASCII digits count here, within bounds
the database holds.

`BadQueryParameter` is Django's `BadRequest`, so wherever it is raised the answer is a 400;
views wrapped in `bad_query_answers_400` (or `cases.views.common.domain_errors`) also roll the
request's transaction back and show the parameter's message on the 400 page.
"""
import re
from functools import wraps

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import transaction
from django.shortcuts import render

BIGINT_MAX = 2**63 - 1
# A page past the last one is an empty page; this only keeps OFFSET within a bigint.
MAX_PAGE = 1_000_000
_ASCII_DIGITS = re.compile(r"[0-9]+")


class BadQueryParameter(BadRequest):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _whole_number(raw) -> int | None:
    """The value of a string of ASCII digits (anything longer than a bigint: past BIGINT_MAX,
    without converting thousands of digits), or None for anything else."""
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        return None
    digits = raw.lstrip("0") or "0"
    return int(digits) if len(digits) <= 19 else BIGINT_MAX + 1


def query_int(query, name: str, *, default: int | None = None, minimum: int = 1,
              maximum: int = BIGINT_MAX) -> int | None:
    """The whole number `name` of `query` (a QueryDict; with the parameter repeated, the last
    value), `default` when absent or empty; anything else outside [minimum, maximum] is refused."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    number = _whole_number(raw)
    if number is None or not minimum <= number <= maximum:
        raise BadQueryParameter(name, f"Enter a whole number from {minimum} to {maximum}.")
    return number


def query_page(query, name: str = "page") -> int:
    """A 1-based page number, as the pages' links write it. What is no page number at all
    (absent, "x", "-1", "0") means the first page, as it always has; a page number too large
    to reach (past MAX_PAGE: OFFSET would leave the bigint range) is refused."""
    number = _whole_number(query.get(name))
    if number is None:
        return 1
    if number > MAX_PAGE:
        raise BadQueryParameter(name, f"Enter a page number from 1 to {MAX_PAGE}.")
    return max(1, number)


def bad_query_response(request, error: BadQueryParameter):
    """The site's 400 page with the parameter's message; whatever the request wrote is undone."""
    messages.error(request, str(error))
    response = render(request, "400.html", status=400)  # rendered first: its context reads the database
    if transaction.get_connection().in_atomic_block:  # ATOMIC_REQUESTS
        transaction.set_rollback(True)
    return response


def bad_query_answers_400(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadQueryParameter as error:
            return bad_query_response(request, error)

    return wrapper
