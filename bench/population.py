"""Who takes part: the demo cast plus the rest of a realistic EU port platform.

Agencies and memberships are few (hundreds), so they are written through the services, which
also keep each user in their agency's Django group (agencies.signals). Cases are many and
are written in bulk (bench.bulk).
"""
import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from agencies.demo import DEMO_AGENCIES, seed_cast
from agencies.models import Agency, AgencyKind, Membership, Role
from agencies.services import agency_upsert, membership_set_role

BENCH_PASSWORD = "bench-password-not-secret"  # only for the bench database's cast

# Customs agencies own the cases: code, name, country, port, share of all cases. Rotterdam
# owns about 32%, so its officers (with what is shared with them) see about a third.
CUSTOMS = [
    ("NL-CUS-RTM", "Douane Rotterdam Haven", "NL", "NLRTM", 32),
    ("BE-CUS-ANR", "Douane Antwerpen", "BE", "BEANR", 20),
    ("DE-ZOLL-HAM", "Hauptzollamt Hamburg", "DE", "DEHAM", 12),
    ("ES-AEAT-ALG", "Aduanas Algeciras", "ES", "ESALG", 8),
    ("ES-AEAT-VLC", "Aduanas Valencia", "ES", "ESVLC", 5),
    ("FR-DOU-LEH", "Douane Le Havre", "FR", "FRLEH", 5),
    ("IT-ADM-GOA", "Dogane Genova", "IT", "ITGOA", 4),
    ("IT-ADM-GIT", "Dogane Gioia Tauro", "IT", "ITGIT", 4),
    ("DE-ZOLL-BRV", "Hauptzollamt Bremerhaven", "DE", "DEBRV", 3),
    ("PT-AT-SIE", "Alfandega Sines", "PT", "PTSIE", 3),
    ("GR-CUS-PIR", "Customs Piraeus", "GR", "GRPIR", 2),
    ("PL-KAS-GDN", "Urzad Celny Gdansk", "PL", "PLGDN", 2),
]
# The national prosecution service cases are referred to.
PROSECUTION = {
    "NL": ("NL-OM-RTM", "Openbaar Ministerie Rotterdam"),
    "BE": ("BE-PROS-ANR", "Parket Antwerpen"),
    "DE": ("DE-STA-HAM", "Staatsanwaltschaft Hamburg"),
    "ES": ("ES-FIS-CAD", "Fiscalia Antidroga Cadiz"),
    "FR": ("FR-PARQ-HAV", "Parquet du Havre"),
    "IT": ("IT-PROC-RC", "Procura Reggio Calabria"),
    "PT": ("PT-MP-SET", "Ministerio Publico Setubal"),
    "GR": ("GR-EIS-PIR", "Eisaggelia Peiraia"),
    "PL": ("PL-PK-GDA", "Prokuratura Krajowa Gdansk"),
}
POLICE = [("NL-POL-RTM", "Politie Rotterdam", "NL"), ("BE-FGP-ANR", "Federale Gerechtelijke Politie Antwerpen", "BE"),
          ("DE-LKA-HAM", "Landeskriminalamt Hamburg", "DE"), ("ES-GC-ALG", "Guardia Civil Algeciras", "ES")]
PORT_AUTHORITIES = [("NL-HBR-RTM", "Havenbedrijf Rotterdam", "NL")]
LIAISON = "EU-LIA"

# Members per agency kind, scaled by the agency's share for customs.
CUSTOMS_OFFICERS_PER_PERCENT = 8
ROLE_MIX = {Role.ANALYST: 0.2, Role.AGENCY_ADMIN: 0.03, Role.AUDITOR: 0.03}
OTHER_MEMBERS = {AgencyKind.PROSECUTION: (Role.PROSECUTOR, 12), AgencyKind.POLICE: (Role.OFFICER, 20),
                 AgencyKind.LIAISON: (Role.LIAISON_OFFICER, 25), AgencyKind.PORT_AUTHORITY: (Role.OFFICER, 5)}


@dataclass
class AgencyInfo:
    id: int
    code: str
    kind: str
    country: str
    group_id: int
    port: str = ""
    weight: int = 0  # percent of all cases owned
    members: dict = field(default_factory=dict)  # role -> [user ids]


@dataclass
class Population:
    agencies: dict[str, AgencyInfo]
    usernames: dict[int, str]

    def customs(self) -> list[AgencyInfo]:
        return [agency for agency in self.agencies.values() if agency.weight]

    def prosecution_for(self, country: str) -> AgencyInfo | None:
        code = PROSECUTION.get(country, (None,))[0]
        return self.agencies.get(code)

    def creators(self, agency: AgencyInfo) -> list[int]:
        return agency.members.get(Role.OFFICER, []) + agency.members.get(Role.LIAISON_OFFICER, [])


def _agency_specs():
    demo_names = {code: name for code, name, _kind, _country in DEMO_AGENCIES}
    for code, name, country, port, weight in CUSTOMS:
        yield code, demo_names.get(code, name), AgencyKind.CUSTOMS, country, port, weight
    for country, (code, name) in PROSECUTION.items():
        yield code, demo_names.get(code, name), AgencyKind.PROSECUTION, country, "", 0
    for code, name, country in POLICE:
        yield code, name, AgencyKind.POLICE, country, "", 0
    for code, name, country in PORT_AUTHORITIES:
        yield code, name, AgencyKind.PORT_AUTHORITY, country, "", 0
    yield LIAISON, demo_names[LIAISON], AgencyKind.LIAISON, "NL", "", 0


def _member_plan(kind: str, weight: int, scale: float) -> dict[str, int]:
    if kind == AgencyKind.CUSTOMS:
        officers = max(3, round(weight * CUSTOMS_OFFICERS_PER_PERCENT * scale))
        plan = {Role.OFFICER: officers}
        plan.update({role: max(1, round(officers * share)) for role, share in ROLE_MIX.items()})
        return plan
    role, number = OTHER_MEMBERS[kind]
    return {role: max(2, round(number * scale))}


def build_population(*, scale: float = 1.0) -> Population:
    """Create the cast and the other agencies and members (scale < 1 for small checks)."""
    seed_cast(password=BENCH_PASSWORD)
    User = get_user_model()
    unusable = make_password(None)  # bulk members never log in with a password
    counter = itertools.count(1)
    for code, name, kind, country, _port, weight in _agency_specs():
        agency = agency_upsert(actor=None, code=code, name=name, kind=kind, country=country)
        present = Membership.objects.filter(agency=agency, active=True).values_list("role", flat=True)
        for role, wanted in _member_plan(kind, weight, scale).items():
            missing = wanted - list(present).count(role)
            if missing <= 0:
                continue
            prefix = f"{code.lower()}.{role.replace('_', '')}"
            users = User.objects.bulk_create(
                [User(username=f"{prefix}{next(counter)}", password=unusable) for _ in range(missing)]
            )
            for user in users:
                membership_set_role(actor=None, user=user, agency=agency, role=role)
    return load_population()


def load_population() -> Population:
    ports = {code: (port, weight) for code, _name, _country, port, weight in CUSTOMS}
    agencies = {}
    for agency in Agency.objects.filter(active=True):
        port, weight = ports.get(agency.code, ("", 0))
        agencies[agency.code] = AgencyInfo(id=agency.pk, code=agency.code, kind=agency.kind,
                                           country=agency.country, group_id=agency.group_id, port=port,
                                           weight=weight)
    by_id = {agency.id: agency for agency in agencies.values()}
    usernames = {}
    for user_id, username, agency_id, role in Membership.objects.filter(active=True).order_by("user_id").values_list(
            "user_id", "user__username", "agency_id", "role"):
        by_id[agency_id].members.setdefault(role, []).append(user_id)
        usernames[user_id] = username
    return Population(agencies=agencies, usernames=usernames)
