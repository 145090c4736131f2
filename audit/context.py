"""Who is acting and through which request, without audit importing a domain app.

The request middleware fills the request part; the agencies app registers how to read a
user's agency and role (dependency inversion: audit stays on the ground floor).
"""
import contextvars
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""


_request_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "audit_request_context", default=RequestContext()
)

ActorResolver = Callable[[object], tuple[str, str]]


def _unknown_agency_and_role(user) -> tuple[str, str]:
    return "", ""


_actor_resolver: ActorResolver = _unknown_agency_and_role


def set_request_context(context: RequestContext) -> contextvars.Token:
    return _request_context.set(context)


def reset_request_context(token: contextvars.Token) -> None:
    _request_context.reset(token)


def current_request_context() -> RequestContext:
    return _request_context.get()


def register_actor_resolver(resolver: ActorResolver) -> None:
    """Agencies registers a function user -> (agency code, role) in its AppConfig.ready()."""
    global _actor_resolver
    _actor_resolver = resolver


def actor_agency_and_role(user) -> tuple[str, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return "", ""
    return _actor_resolver(user)
