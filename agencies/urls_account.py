"""Browser routes of a person's own sign-in: /accounts/security/ (two-factor, backup codes, password)."""
from django.urls import path

from . import views_account as views

app_name = "account"

urlpatterns = [
    path("", views.account_security, name="security"),
    path("two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("backup-codes/", views.two_factor_backup_codes, name="backup-codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
]
