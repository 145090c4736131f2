"""The case-file review page (issue 16): the whole case on one printable page, for the prosecutor
and anyone else who can see the case.

It goes through the same gate as the case tabs (consulted_case): the H3 conditions and the reason
for opening another agency's case come first, and the consultation is recorded as one of the
parties, since the file holds personal data. The dossier is the one the PDF is built from.
"""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors_case_file import case_file_dossier_of
from .common import domain_errors
from .detail import CASE_FILE_PAGE, consulted_case


@login_required
@require_GET
@domain_errors
def case_file_view(request, case_id):
    case, gate = consulted_case(request, case_id, CASE_FILE_PAGE)
    if gate:
        return gate
    dossier = case_file_dossier_of(user=request.user, case=case)
    return render(request, "cases/case_file/review.html", {"case": case, "dossier": dossier})
