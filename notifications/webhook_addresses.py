"""Where a webhook may go: public addresses only.

A webhook URL is chosen by an agency admin, and the call is made from inside our network. An
address of ours (loopback, private, link-local with the cloud metadata service at
169.254.169.254, CGNAT, multicast, reserved, unspecified, or one of these wrapped in IPv6) would
let that URL reach systems no agency should reach. The name is checked at registration and
again at every delivery, after resolving it: a name can be made to resolve elsewhere later
(DNS rebinding). Every address it resolves to must be public, and the call then connects to
those vetted addresses (webhooks.py), never resolving the name a second time.

NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE turns the check off (tests deliver to receivers on
127.0.0.1; a deployment may have agency systems on an internal network).
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known prefix: the last 32 bits are an IPv4 address
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_METADATA = ipaddress.ip_address("169.254.169.254")


class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    """One vetted address to connect to: the arguments of socket() and connect()."""

    family: int
    sockaddr: tuple


def private_allowed() -> bool:
    return bool(getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", False))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:  # ::ffff:a.b.c.d
        return address.ipv4_mapped
    if address.sixtofour:  # 2002:aabb:ccdd::/48
        return address.sixtofour
    if address in _NAT64:  # 64:ff9b::a.b.c.d
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d (deprecated IPv4-compatible form)
        return ipaddress.IPv4Address(int(address))
    return None


def address_kind(text: str) -> str | None:
    """What makes the address unfit for a webhook ("loopback", "private", ...), or None if it is public."""
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.ip_address(str(address).split("%", 1)[0])  # a zone (fe80::1%eth0) changes nothing
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_kind(str(inner))
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address == _METADATA:
        return "link-local (cloud metadata)"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address in _CGNAT:
        return "shared (CGNAT)"
    if isinstance(address, ipaddress.IPv6Address) and (address.is_site_local or address in _NAT64_LOCAL):
        return "private"
    if address.is_reserved:
        return "reserved"
    if address.is_private:  # RFC 1918, fc00::/7, and the documentation and benchmarking ranges
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")  # RFC 6761: always loopback


def resolve(host: str, port: int) -> list[Target]:
    """Every address `host` resolves to, each of them public; raises AddressRefused if any is not,
    and OSError (socket.gaierror) if the name does not resolve."""
    if not private_allowed() and _is_local_name(host):
        raise AddressRefused(f"{host} is a loopback name; webhooks go to public addresses only.")
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    targets = []
    for family, _type, _proto, _canonname, sockaddr in found:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        kind = None if private_allowed() else address_kind(sockaddr[0])
        if kind is not None:
            what = (f"{sockaddr[0]} is a {kind} address" if _same_address(host, sockaddr[0])
                    else f"{host} resolves to {sockaddr[0]}, a {kind} address")
            raise AddressRefused(f"{what}; webhooks go to public addresses only.")
        targets.append(Target(family, sockaddr))
    if not targets:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} has no IPv4 or IPv6 address")
    return list(dict.fromkeys(targets))  # getaddrinfo may repeat an address


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")) == ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False


def url_refusal(url: str) -> str | None:
    """Why a webhook URL may not be registered (its host is, or resolves to, an address of ours,
    or does not resolve at all), or None."""
    if private_allowed():
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except AddressRefused as refused:
        return str(refused)
    except (OSError, ValueError):  # socket.gaierror; UnicodeError for a name IDNA cannot encode
        return f"{host} could not be resolved; register the URL once its name resolves to a public address."
    return None
