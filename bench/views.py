"""Bench-only endpoints, mounted by bench.urls and never by the product.

- BareCaseList serves the same 50 rows as the caller's first page of GET /api/v1/cases/
  (their ids come from the harness in BENCH_BARE_CASE_IDS), through the same
  authentication, serializer and cursor pagination, but with no access policy: the
  difference between the two is what the policy costs.
- CaseDetailWithoutAudit is the case detail without its consultation audit write: the
  difference is what the audit costs.
- IdentifierAddWithoutMatching is POST /api/v1/cases/{id}/identifiers/ without its match keys
  and matching task (cases.services.matching.index_case_part is skipped): the difference is
  what matching costs the request.
- BareHitList serves the same hits as the caller's first page of GET /api/v1/hits/ (ids in
  BENCH_BARE_HIT_IDS), through the same authentication, serializer and cursor pagination, with
  no access policy and no "linked" test.
"""
import os

from django.db.models import BooleanField, CharField, Value
from rest_framework import generics
from rest_framework.response import Response

from cases.api.hits import HitSerializer
from cases.api.serializers import CaseDetailSerializer, CaseListSerializer
from cases.api.pagination import CaseListPagination
from cases.api.views import CaseViewSet, IdentifierViewSet
from cases.models import Case, Hit
from cases.selectors import case_get
from cases.services import parts
from coordination.api.pagination import NewestFirstCursorPagination


def bare_case_ids() -> list[str]:
    return [value for value in os.environ.get("BENCH_BARE_CASE_IDS", "").split(",") if value]


class BareCaseList(generics.ListAPIView):
    serializer_class = CaseListSerializer
    pagination_class = CaseListPagination

    def get_queryset(self):
        # Only the agency the rows show: bare DRF as a careful user writes it (no unused join), with
        # DRF's own serializer and renderer (the project's default, JSONRenderer).
        return (Case.objects.filter(pk__in=bare_case_ids()).select_related("owner_agency")
                .annotate(access=Value("view", output_field=CharField())))


class CaseDetailWithoutAudit(CaseViewSet):
    def retrieve(self, request, case_id=None):
        return Response(CaseDetailSerializer(case_get(user=request.user, case_id=case_id)).data)


def _no_match_keys(*, case, part):
    return []


class IdentifierAddWithoutMatching(IdentifierViewSet):
    def create(self, request, case_id=None):
        # gunicorn's sync workers serve one request at a time, so swapping the module's name for
        # the length of this request touches no other request.
        index_case_part = parts.index_case_part
        parts.index_case_part = _no_match_keys
        try:
            return super().create(request, case_id=case_id)
        finally:
            parts.index_case_part = index_case_part


def bare_hit_ids() -> list[str]:
    return [value for value in os.environ.get("BENCH_BARE_HIT_IDS", "").split(",") if value]


class BareHitList(generics.ListAPIView):
    serializer_class = HitSerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        return (Hit.objects.filter(pk__in=bare_hit_ids())
                .select_related("case", "identifier", "party", "other_case__owner_agency")
                .annotate(other_visible=Value(False, output_field=BooleanField())))
