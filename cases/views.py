"""Browser pages for cases. Thin: parse input, call a selector, render."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from coordination.errors import NotVisible

from .selectors import case_get, case_list
from .services.workflow import allowed_transitions

PAGE_SIZE = 50


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@login_required
def case_list_view(request):
    # No COUNT(*) over the visible set: fetch one row more than the page to know if there is a next one.
    number = _page_number(request)
    start = (number - 1) * PAGE_SIZE
    rows = list(case_list(user=request.user)[start : start + PAGE_SIZE + 1])
    page = {"cases": rows[:PAGE_SIZE], "number": number, "has_next": len(rows) > PAGE_SIZE}
    return render(request, "cases/list.html", {"page": page})


@login_required
def case_detail_view(request, case_id):
    try:
        case = case_get(user=request.user, case_id=case_id)
    except NotVisible:
        raise Http404() from None
    return render(
        request, "cases/detail.html", {"case": case, "transitions": allowed_transitions(request.user, case, case.access)}
    )
