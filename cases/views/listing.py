"""The case list: search, filters, sortable columns and pages, all in the URL.

With HTMX the results swap in place; without JavaScript the same form and links load the
whole page. Pages are keyset pages (coordination.keyset), as in the API: `?cursor=` holds the
last row's sort value and id, so a deep page costs what the first does, and no COUNT(*) runs
over the visible set: one row more than the page tells whether there is a next page.
"""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from coordination.keyset import InvalidCursor, Ordering, decode_cursor, encode_cursor, keyset_page
from coordination.params import BadQueryParameter, bad_query_answers_400

from ..forms import CaseListFilter
from ..models import Case
from ..selectors import case_list
from .common import RESULTS_TARGET, htmx_target

PAGE_SIZE = 25
# ?sort=<key> ascending, ?sort=-<key> descending; each key has its (key, id) index.
SORTS = {
    "reference": "reference",
    "title": "title",
    "status": "status",
    "port": "port",
    "owner": "owner_code",
    "seized": "seized_at",
    "handling": "handling_code",
}
DEFAULT_SORT = "-seized"


def _sort(request) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort.lstrip("-") in SORTS else DEFAULT_SORT


def _cursor(request, ordering: Ordering):
    encoded = request.GET.get("cursor")
    if not encoded:
        return None
    try:
        return decode_cursor(encoded, Case, ordering)
    except InvalidCursor:
        raise BadQueryParameter("cursor", "Invalid cursor.") from None


@login_required
@vary_on_headers("HX-Request", "HX-Target")
@bad_query_answers_400
def case_list_view(request):
    sort = _sort(request)
    ordering = Ordering.parse(sort, SORTS)
    cursor = _cursor(request, ordering)  # bad input first: 400 before anything is read
    filters = CaseListFilter(request.GET or None, queryset=case_list(user=request.user), request=request)
    found = keyset_page(filters.qs, ordering, cursor, PAGE_SIZE)
    page = {
        "cases": found.rows,
        "first": cursor is None,
        "next": encode_cursor(found.next) if found.next else None,
        "previous": encode_cursor(found.previous) if found.previous else None,
    }
    context = {"filter": filters, "page": page, "sort": sort,
               "filtered": bool(request.GET.keys() - {"cursor", "sort"})}
    template = "cases/_results.html" if htmx_target(request) == RESULTS_TARGET else "cases/list.html"
    return render(request, template, context)
