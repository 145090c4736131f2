"""Full-text search over title, summary and party names.

On PostgreSQL a stored tsvector with a GIN index answers `q`; on SQLite (the embedded
demo) a plain substring match stands in.
"""
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, Value

from .models import Case, Party

SEARCH_CONFIG = "simple"  # multilingual data: no language-specific stemming


def refresh_search_document(case_id) -> None:
    """Recompute a case's search vector; services call this after changing what it covers."""
    if connection.vendor != "postgresql":
        return
    names = " ".join(Party.objects.filter(case_id=case_id).values_list("name", flat=True))
    Case.objects.filter(pk=case_id).update(
        search_vector=SearchVector("reference", "title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(names), weight="A", config=SEARCH_CONFIG)
    )


def search_condition(text: str) -> Q:
    text = text.strip()
    if not text:
        return Q()
    if connection.vendor == "postgresql":
        return Q(search_vector=SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch"))
    return (
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(reference__icontains=text)
        | Q(pk__in=Party.objects.filter(name__icontains=text).values("case_id"))
    )
