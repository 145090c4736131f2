from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("read-all/", views.mark_all_read_view, name="read-all"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("<uuid:notification_id>/", views.open_view, name="open"),
    path("<uuid:notification_id>/read/", views.mark_read_view, name="read"),
    path("follow/<uuid:case_id>/", views.follow_view, name="follow"),
]
