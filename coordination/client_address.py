"""The caller's address: one answer for the token throttle, django-axes and the audit trail.

`X-Forwarded-For` is whatever the client writes, unless a proxy of ours wrote it. Only the
configured number of proxies in front of the application (`NUM_PROXIES`, default 0) is
trusted, as DRF's setting of that name: with 0 the address is REMOTE_ADDR and the header is
ignored; with N it is the N-th entry from the right of `X-Forwarded-For`, the one the
outermost of our proxies appended (or the leftmost, when there are fewer entries than
proxies: every entry there was then appended by one of ours).

An entry that is not an IP address cannot have come from a proxy of ours; the answer is then
REMOTE_ADDR, never the entry, so no client text reaches the throttle key or the audit record.
"""
import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address for `request` (Django's HttpRequest or DRF's Request), or None."""
    if request is None:
        return None
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = forwarded.split(",")
    return _address(entries[-min(proxies, len(entries))]) or remote
