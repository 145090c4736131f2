"""Reads of a case's parts for display, given a case the reader already holds from
cases.selectors (so the access policy has already answered)."""
from django.db.models import QuerySet

from .models import Case, Note


def case_notes(*, case: Case) -> QuerySet[Note]:
    """The case's notes with their authors, oldest first, in one query."""
    return Note.objects.filter(case_id=case.pk).select_related("created_by").order_by("created_at", "id")
