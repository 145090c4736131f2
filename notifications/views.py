"""Browser pages: the inbox, e-mail preferences, following a case. Thin: parse, call, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.errors import NotVisible
from coordination.params import bad_query_answers_400, query_page

from . import services
from .forms import EmailPreferencesForm
from .selectors import email_preferences, inbox, own_notification

PAGE_SIZE = 50


@login_required
@bad_query_answers_400
def inbox_view(request):
    # No COUNT(*): one row more than the page tells whether there is a next one.
    number = query_page(request.GET)
    start = (number - 1) * PAGE_SIZE
    rows = list(inbox(user=request.user)[start : start + PAGE_SIZE + 1])
    page = {"notifications": rows[:PAGE_SIZE], "number": number, "has_next": len(rows) > PAGE_SIZE}
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_view(request, notification_id):
    """Where e-mail links lead: marks the notification read and goes to its case, if still visible."""
    try:
        services.notification_mark_read(actor=request.user, notification_id=notification_id)
        notification = own_notification(user=request.user, notification_id=notification_id)
    except NotVisible:
        raise Http404() from None
    if notification.visible_case:
        return redirect("cases:detail", notification.visible_case)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read_view(request, notification_id):
    try:
        services.notification_mark_read(actor=request.user, notification_id=notification_id)
    except NotVisible:
        raise Http404() from None
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read_view(request):
    services.notifications_mark_all_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
def preferences_view(request):
    form = EmailPreferencesForm(request.POST or None, current=email_preferences(user=request.user))
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(actor=request.user, email=form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
@require_POST
def follow_view(request, case_id):
    follow = services.case_follow if request.POST.get("following") == "1" else services.case_unfollow
    try:
        follow(actor=request.user, case_id=case_id)
    except NotVisible:
        raise Http404() from None
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("cases:detail", args=[case_id])
    return redirect(target)
