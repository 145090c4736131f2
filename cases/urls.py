from django.urls import path

from . import views
from .views.case_file import case_file_view
from .views.case_files import case_file_build_view, case_file_download_view, case_file_status_view
from .views.exhibit_actions import custody_record_view, exhibit_add_view
from .views.evidence_actions import evidence_request_decide_view, evidence_request_file_view
from .views.hits import identifier_matching_view

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_create_view, name="new"),
    path("<uuid:case_id>/", views.case_detail_view, name="detail"),
    path("<uuid:case_id>/edit/", views.case_edit_view, name="edit"),
    path("<uuid:case_id>/open/", views.case_open_view, name="open"),
    path("<uuid:case_id>/transition/", views.case_transition_view, name="transition"),
    path("<uuid:case_id>/sharing/<uuid:share_id>/revoke/", views.case_share_revoke_view, name="revoke"),
    path("<uuid:case_id>/grants/<uuid:grant_id>/revoke/", views.case_grant_revoke_view, name="grant-revoke"),
    path("<uuid:case_id>/identifiers/<uuid:identifier_id>/matching/", identifier_matching_view,
         name="identifier-matching"),
    # Before the tabs' catch-all; the gate sends a reader back here as it does to a tab (tab_url).
    path("<uuid:case_id>/case-file/", case_file_view, name="case-file"),
    path("<uuid:case_id>/evidence-requests/", evidence_request_file_view, name="evidence-request"),
    path("<uuid:case_id>/evidence-requests/<uuid:request_id>/decide/", evidence_request_decide_view,
         name="evidence-decide"),
    path("<uuid:case_id>/case-file/build/", case_file_build_view, name="case-file-build"),
    path("case-files/<uuid:file_id>/status/", case_file_status_view, name="case-file-status"),
    path("case-files/<uuid:file_id>/download/", case_file_download_view, name="case-file-download"),
    path("<uuid:case_id>/exhibits/add/", exhibit_add_view, name="exhibit-add"),
    path("<uuid:case_id>/exhibits/<uuid:exhibit_id>/custody/", custody_record_view, name="exhibit-custody"),
    path("<uuid:case_id>/<slug:tab>/", views.case_detail_view, name="tab"),
    path("<uuid:case_id>/<slug:tab>/add/", views.case_part_add_view, name="add"),
]
