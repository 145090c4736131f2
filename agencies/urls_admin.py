"""/agency/: an agency admin's pages (agencies.views_admin)."""
from django.urls import path
from django.views.generic import RedirectView

from . import views_admin as views

app_name = "agency"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="agency:members"), name="home"),
    path("members/", views.member_list_view, name="members"),
    path("members/new/", views.member_create_view, name="member-create"),
    path("members/<int:member_id>/", views.member_view, name="member"),
    path("members/<int:member_id>/role/", views.member_role_view, name="member-role"),
    path("members/<int:member_id>/deactivate/", views.member_deactivate_view, name="member-deactivate"),
    path("members/<int:member_id>/two-factor-reset/", views.member_two_factor_reset_view,
         name="member-two-factor-reset"),
    path("members/<int:member_id>/lockout-lift/", views.member_lockout_lift_view, name="member-lockout-lift"),
    path("service-accounts/", views.service_account_list_view, name="service-accounts"),
    path("service-accounts/new/", views.service_account_create_view, name="service-account-create"),
    path("service-accounts/<uuid:account_id>/revoke/", views.service_account_revoke_view,
         name="service-account-revoke"),
    path("policy/", views.policy_view, name="policy"),
    path("disclosures/", views.disclosure_list_view, name="disclosures"),
    path("disclosures/<uuid:disclosure_id>/revoke/", views.disclosure_revoke_view, name="disclosure-revoke"),
]
