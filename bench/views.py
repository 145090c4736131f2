"""Bench-only endpoints, mounted by bench.urls and never by the product.

- BareCaseList serves the same 50 rows as the caller's first page of GET /api/v1/cases/
  (their ids come from the harness in BENCH_BARE_CASE_IDS), through the same
  authentication, serializer and cursor pagination, but with no access policy: the
  difference between the two is what the policy costs.
- CaseDetailWithoutAudit is the case detail without its consultation audit write: the
  difference is what the audit costs.
"""
import os

from django.db.models import CharField, Value
from rest_framework import generics
from rest_framework.response import Response

from cases.api.serializers import CaseDetailSerializer, CaseListSerializer
from cases.api.views import CaseViewSet, NewestSeizureFirst
from cases.models import Case
from cases.selectors import case_get


def bare_case_ids() -> list[str]:
    return [value for value in os.environ.get("BENCH_BARE_CASE_IDS", "").split(",") if value]


class BareCaseList(generics.ListAPIView):
    serializer_class = CaseListSerializer
    pagination_class = NewestSeizureFirst

    def get_queryset(self):
        return (Case.objects.filter(pk__in=bare_case_ids()).select_related("owner_agency", "referred_to")
                .annotate(access=Value("view", output_field=CharField())))


class CaseDetailWithoutAudit(CaseViewSet):
    def retrieve(self, request, case_id=None):
        return Response(CaseDetailSerializer(case_get(user=request.user, case_id=case_id)).data)
