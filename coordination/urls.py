from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.login import AdminSecondFactorLoginForm, SecondFactorLoginForm
from cases.views import dashboard_view

# The admin's login asks for the same second factor as the site's.
admin.site.login_form = AdminSecondFactorLoginForm
admin.site.login_template = "admin/login_second_factor.html"

urlpatterns = [
    path("", dashboard_view, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                         authentication_form=SecondFactorLoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/security/", include("agencies.urls_account")),
    path("accounts/", include("agencies.urls")),
    path("cases/", include("cases.urls")),
    path("", include("cases.urls_hits")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("agency/", include("agencies.urls_admin")),
    path("api/v1/", include(("coordination.api.urls", "api"))),
    path("admin/", admin.site.urls),
]

handler400 = "coordination.views.bad_request"
handler403 = "coordination.views.permission_denied"
handler404 = "coordination.views.page_not_found"
handler500 = "coordination.views.server_error"
