"""Browser routes of the agencies app: a new member's set-password page (the e-mailed link)."""
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

urlpatterns = [
    # Django's reset views: the token is single-use (it hashes the password it replaces) and
    # expires after PASSWORD_RESET_TIMEOUT; the new password meets AUTH_PASSWORD_VALIDATORS.
    path("set-password/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(template_name="registration/set_password.html",
                                                     success_url=reverse_lazy("password_set_complete")),
         name="password_set_confirm"),
    path("set-password/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="registration/set_password_done.html"),
         name="password_set_complete"),
]
