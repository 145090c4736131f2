"""Browser pages for cases. Thin: parse input, call a selector, render."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from coordination.errors import NotVisible

from .selectors import case_get, case_list
from .services.workflow import allowed_transitions

PAGE_SIZE = 50


@login_required
def case_list_view(request):
    page = Paginator(case_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page})


@login_required
def case_detail_view(request, case_id):
    try:
        case = case_get(user=request.user, case_id=case_id)
    except NotVisible:
        raise Http404() from None
    return render(
        request, "cases/detail.html", {"case": case, "transitions": allowed_transitions(request.user, case)}
    )
