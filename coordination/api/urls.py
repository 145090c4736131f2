"""/api/v1/: the contract in API.md."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies.api import admin_views as agency_admin
from agencies.api import security_views as agency_security
from agencies.api.auth_views import ApiTokenView
from agencies.api.views import AgencyListView, MeView
from audit.api.views import AuditEventViewSet, AuditExportView
from cases.api import case_files, disclosures, documents, evidence, exhibits, hits
from cases.api import views as cases

LIST_CREATE = {"get": "list", "post": "create"}

urlpatterns = [
    path("auth/token/", ApiTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("agencies/", AgencyListView.as_view(), name="agencies"),
    path("agency/members/", agency_admin.MemberViewSet.as_view(LIST_CREATE), name="agency-members"),
    path("agency/members/<int:member_id>/",
         agency_admin.MemberViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="agency-member"),
    path("agency/members/<int:member_id>/deactivate/", agency_admin.MemberViewSet.as_view({"post": "deactivate"}),
         name="agency-member-deactivate"),
    path("agency/members/<int:member_id>/reset-2fa/", agency_security.MemberTwoFactorResetView.as_view(),
         name="agency-member-reset-2fa"),
    path("agency/lockouts/", agency_security.LockoutListView.as_view(), name="agency-lockouts"),
    path("agency/lockouts/<str:username>/", agency_security.LockoutView.as_view(), name="agency-lockout"),
    path("agency/service-accounts/", agency_admin.ServiceAccountViewSet.as_view(LIST_CREATE),
         name="agency-service-accounts"),
    path("agency/service-accounts/<uuid:account_id>/",
         agency_admin.ServiceAccountViewSet.as_view({"delete": "destroy"}), name="agency-service-account"),
    path("agency/disclosures/", disclosures.DisclosureViewSet.as_view({"get": "page"}), name="agency-disclosures"),
    path("agency/disclosures/<uuid:disclosure_id>/", disclosures.DisclosureViewSet.as_view({"delete": "destroy"}),
         name="agency-disclosure"),
    path("agency/policy/", agency_admin.AgencyPolicyView.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="agency-policy"),
    path("cases/", cases.CaseViewSet.as_view(LIST_CREATE), name="case-list"),
    path("cases/<uuid:case_id>/", cases.CaseViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="case-detail"),
    path("cases/<uuid:case_id>/transition/", cases.CaseViewSet.as_view({"post": "transition"}),
         name="case-transition"),
    path("cases/<uuid:case_id>/seizures/", cases.SeizureViewSet.as_view(LIST_CREATE), name="case-seizures"),
    path("cases/<uuid:case_id>/identifiers/", cases.IdentifierViewSet.as_view(LIST_CREATE),
         name="case-identifiers"),
    path("cases/<uuid:case_id>/identifiers/<uuid:identifier_id>/matching/",
         cases.IdentifierViewSet.as_view({"post": "matching"}), name="case-identifier-matching"),
    path("cases/<uuid:case_id>/parties/", cases.PartyViewSet.as_view(LIST_CREATE), name="case-parties"),
    path("cases/<uuid:case_id>/route/", cases.RouteLegViewSet.as_view(LIST_CREATE), name="case-route"),
    path("cases/<uuid:case_id>/notes/", cases.NoteViewSet.as_view(LIST_CREATE), name="case-notes"),
    path("cases/<uuid:case_id>/documents/", documents.DocumentViewSet.as_view(LIST_CREATE), name="case-documents"),
    path("cases/<uuid:case_id>/documents/<uuid:doc_id>/download/",
         documents.DocumentViewSet.as_view({"get": "download"}), name="case-document-download"),
    path("cases/<uuid:case_id>/exhibits/", exhibits.ExhibitViewSet.as_view(LIST_CREATE), name="case-exhibits"),
    path("cases/<uuid:case_id>/exhibits/<uuid:exhibit_id>/custody/", exhibits.CustodyViewSet.as_view(LIST_CREATE),
         name="case-exhibit-custody"),
    path("cases/<uuid:case_id>/exhibits/<uuid:exhibit_id>/custody/<uuid:event_id>/",
         exhibits.CustodyViewSet.as_view({"get": "retrieve"}), name="case-exhibit-custody-event"),
    path("cases/<uuid:case_id>/evidence-requests/", evidence.EvidenceRequestViewSet.as_view(LIST_CREATE),
         name="case-evidence-requests"),
    path("cases/<uuid:case_id>/evidence-requests/<uuid:request_id>/",
         evidence.EvidenceRequestViewSet.as_view({"get": "retrieve"}), name="case-evidence-request"),
    path("cases/<uuid:case_id>/evidence-requests/<uuid:request_id>/decide/",
         evidence.EvidenceRequestViewSet.as_view({"post": "decide"}), name="case-evidence-request-decide"),
    path("cases/<uuid:case_id>/shares/", cases.ShareViewSet.as_view(LIST_CREATE), name="case-shares"),
    path("cases/<uuid:case_id>/shares/<uuid:share_id>/", cases.ShareViewSet.as_view({"delete": "destroy"}),
         name="case-share-detail"),
    path("cases/<uuid:case_id>/grants/", cases.GrantViewSet.as_view(LIST_CREATE), name="case-grants"),
    path("cases/<uuid:case_id>/grants/<uuid:grant_id>/", cases.GrantViewSet.as_view({"delete": "destroy"}),
         name="case-grant-detail"),
    path("cases/<uuid:case_id>/audit/", cases.CaseAuditViewSet.as_view({"get": "list"}), name="case-audit"),
    path("hits/", hits.HitViewSet.as_view({"get": "list"}), name="hit-list"),
    path("hits/<uuid:hit_id>/", hits.HitViewSet.as_view({"get": "retrieve"}), name="hit-detail"),
    path("access-requests/", hits.AccessRequestViewSet.as_view(LIST_CREATE), name="access-request-list"),
    path("access-requests/<uuid:request_id>/", hits.AccessRequestViewSet.as_view({"get": "retrieve"}),
         name="access-request-detail"),
    path("access-requests/<uuid:request_id>/decide/", hits.AccessRequestViewSet.as_view({"post": "decide"}),
         name="access-request-decide"),
    path("cases/<uuid:case_id>/case-file/", case_files.CaseFileViewSet.as_view({"post": "create"}),
         name="case-file-request"),
    path("case-files/<uuid:file_id>/", case_files.CaseFileViewSet.as_view({"get": "retrieve"}),
         name="case-file-detail"),
    path("case-files/<uuid:file_id>/download/", case_files.CaseFileViewSet.as_view({"get": "download"}),
         name="case-file-download"),
    path("audit/", AuditEventViewSet.as_view({"get": "list"}), name="audit-list"),
    path("audit/export/", AuditExportView.as_view(), name="audit-export"),
    path("", include("notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from a URL, and the local template drops the inline
    # <style>: the page works under the Content-Security-Policy (no inline script or style).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
         name="docs"),
]
