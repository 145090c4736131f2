"""The project's URLs plus the bench-only endpoints (never part of the product)."""
from django.urls import path

from coordination.urls import handler400, handler403, handler404, handler500  # noqa: F401
from coordination.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [
    path("bench/bare/cases/", views.BareCaseList.as_view(), name="bench-bare-cases"),
    path("bench/cases/<uuid:case_id>/", views.CaseDetailWithoutAudit.as_view({"get": "retrieve"}),
         name="bench-case-detail-without-audit"),
    path("bench/cases/<uuid:case_id>/identifiers/", views.IdentifierAddWithoutMatching.as_view({"post": "create"}),
         name="bench-identifier-add-without-matching"),
    path("bench/bare/hits/", views.BareHitList.as_view(), name="bench-bare-hits"),
    *project_urlpatterns,
]
