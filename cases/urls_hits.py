"""Hit/no-hit pages: /hits/ and /access-requests/ (cases.views.hits)."""
from django.urls import path

from .views import hits

app_name = "hits"

urlpatterns = [
    path("hits/", hits.hit_list_view, name="list"),
    path("hits/<uuid:hit_id>/", hits.hit_detail_view, name="detail"),
    path("hits/<uuid:hit_id>/request/", hits.hit_request_view, name="request"),
    path("access-requests/", hits.access_request_list_view, name="access-requests"),
    path("access-requests/<uuid:request_id>/decide/", hits.access_request_decide_view, name="decide"),
]
