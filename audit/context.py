"""Who is acting and through which request, without audit importing a domain app.

The request middleware fills the request part; the agencies app registers how to read a
user's agency and role (dependency inversion: audit stays on the ground floor).
"""
import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeniedAttempt:
    actor: object
    object_type: str
    object_id: str
    case_id: object = None
    case_agency: str = ""
    handling_code: str = ""
    action: str = "not_visible"  # or forbidden (a 403 on a visible case), token_refused
    changes: dict | None = None


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    session_ref: str = ""
    # Denied attempts noted while the request ran; written after it, outside its transaction,
    # because the refusal rolls that transaction back.
    denied: list[DeniedAttempt] = field(default_factory=list)


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


def note_denied_attempt(attempt: DeniedAttempt) -> bool:
    """Queue a denied attempt for the request's audit flush; False outside a request."""
    context = _request_context.get()
    if not context.request_id:
        return False
    context.denied.append(attempt)
    return True


AuditorDirectory = Callable[[str], list]


def _no_auditors(agency_code: str) -> list:
    return []


_auditors_of: AuditorDirectory = _no_auditors


def register_auditor_directory(directory: AuditorDirectory) -> None:
    """Agencies registers how to find an agency's auditors (users), for alerts and digests."""
    global _auditors_of
    _auditors_of = directory


def auditors_of(agency_code: str) -> list:
    return _auditors_of(agency_code)


ExportPolicy = Callable[[object], bool]


def _exports_need_justification(user) -> bool:
    return True


_export_policy: ExportPolicy = _exports_need_justification


def register_export_policy(policy: ExportPolicy) -> None:
    """Agencies registers whether a user's agency asks for a justification on exports."""
    global _export_policy
    _export_policy = policy


def export_needs_justification(user) -> bool:
    return _export_policy(user)
