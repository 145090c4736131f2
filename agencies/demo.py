"""The demo cast: agencies and users every demo and test story starts from."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from .models import AgencyKind, Role
from .services import agency_upsert, membership_set_role
from .services_admin import agency_policy_set

DEMO_AGENCIES = [
    ("NL-CUS-RTM", "Douane Rotterdam Haven", AgencyKind.CUSTOMS, "NL"),
    ("BE-CUS-ANR", "Douane Antwerpen", AgencyKind.CUSTOMS, "BE"),
    ("DE-ZOLL-HAM", "Hauptzollamt Hamburg", AgencyKind.CUSTOMS, "DE"),
    ("EU-LIA", "EU Port Liaison Bureau", AgencyKind.LIAISON, "NL"),
    ("NL-OM-RTM", "Openbaar Ministerie Rotterdam", AgencyKind.PROSECUTION, "NL"),
    ("BE-PROS-ANR", "Parket Antwerpen", AgencyKind.PROSECUTION, "BE"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    agency: str | None
    role: str | None
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("rtm.officer", "NL-CUS-RTM", Role.OFFICER, "Sanne", "de Vries"),
    DemoUser("rtm.analyst", "NL-CUS-RTM", Role.ANALYST, "Joris", "Bakker"),
    DemoUser("rtm.admin", "NL-CUS-RTM", Role.AGENCY_ADMIN, "Ingrid", "Visser"),
    DemoUser("rtm.auditor", "NL-CUS-RTM", Role.AUDITOR, "Pieter", "Smit"),
    DemoUser("anr.officer", "BE-CUS-ANR", Role.OFFICER, "Lotte", "Peeters"),
    DemoUser("ham.officer", "DE-ZOLL-HAM", Role.OFFICER, "Jonas", "Becker"),
    DemoUser("liaison.officer", "EU-LIA", Role.LIAISON_OFFICER, "Elena", "Rossi"),
    DemoUser("rtm.prosecutor", "NL-OM-RTM", Role.PROSECUTOR, "Marieke", "Jansen"),
    DemoUser("anr.prosecutor", "BE-PROS-ANR", Role.PROSECUTOR, "Thomas", "Claes"),
    DemoUser("admin", None, None, "Platform", "Administrator"),
]


def seed_cast(*, password: str) -> dict[str, object]:
    """Create or refresh the demo agencies and users; returns users by username."""
    User = get_user_model()
    agencies = {
        code: agency_upsert(actor=None, code=code, name=name, kind=kind, country=country)
        for code, name, kind, country in DEMO_AGENCIES
    }
    for agency in agencies.values():
        # New agencies require two-factor sign-in; the demo's keep one-step logins for `make run`.
        agency_policy_set(actor=None, agency=agency, require_2fa=False)
    users = {}
    for spec in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@portcullis.example"
        user.is_staff = user.is_superuser = spec.agency is None
        user.set_password(password)
        user.save()
        if spec.agency:
            membership_set_role(actor=None, user=user, agency=agencies[spec.agency], role=spec.role)
        users[spec.username] = user
    return users
