"""For the navbar and dashboard: {% load notification_tags %}

- {% unread_notification_count %}: the signed-in user's unread count (one indexed COUNT);
- {% follow_button case %}: a follow/unfollow form for a case the user can see.
"""
from django import template

from ..selectors import is_following, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    request = context.get("request")
    return unread_count(user=getattr(request, "user", None))


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context, case) -> dict:
    request = context["request"]
    return {"case": case, "following": is_following(user=request.user, case_id=case.pk),
            "next": request.get_full_path(), "csrf_token": context.get("csrf_token")}
