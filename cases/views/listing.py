"""The case list: search, filters, sortable columns and pages, all in the URL.

With HTMX the results swap in place; without JavaScript the same form and links load the
whole page. No COUNT(*) over the visible set: one row more than the page tells whether
there is a next page.
"""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from coordination.params import bad_query_answers_400, query_page

from ..forms import CaseListFilter
from ..selectors import case_list
from .common import RESULTS_TARGET, htmx_target

PAGE_SIZE = 25
# ?sort=<key> ascending, ?sort=-<key> descending; the id breaks ties so pages are stable.
SORTS = {
    "reference": "reference",
    "title": "title",
    "status": "status",
    "port": "port",
    "owner": "owner_agency__code",
    "seized": "seized_at",
    "handling": "handling_code",
}
DEFAULT_SORT = "-seized"


def _sort(request) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort.lstrip("-") in SORTS else DEFAULT_SORT


@login_required
@vary_on_headers("HX-Request", "HX-Target")
@bad_query_answers_400
def case_list_view(request):
    number = query_page(request.GET)  # bad input first: 400 before anything is read
    filters = CaseListFilter(request.GET or None, queryset=case_list(user=request.user), request=request)
    sort = _sort(request)
    direction = "-" if sort.startswith("-") else ""
    ordered = filters.qs.order_by(f"{direction}{SORTS[sort.lstrip('-')]}", f"{direction}id")
    start = (number - 1) * PAGE_SIZE
    rows = list(ordered[start : start + PAGE_SIZE + 1])
    page = {
        "cases": rows[:PAGE_SIZE],
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        "first": start + 1,
        "last": start + len(rows[:PAGE_SIZE]),
    }
    context = {"filter": filters, "page": page, "sort": sort, "filtered": bool(request.GET.keys() - {"page", "sort"})}
    template = "cases/_results.html" if htmx_target(request) == RESULTS_TARGET else "cases/list.html"
    return render(request, template, context)
