"""What each generated case holds, decided once so that the bulk writer (bench.bulk) and the
service writer (bench.via_services) write the same cases from the same plan.

Proportions, per case: about 10% shared with a second agency (half of them referrals to the
national prosecutor, which the workflow turns into a contribute share), 1% opened to named
users (0.6% restricted), 1.4 seizure items, 2.4 identifiers, 2.3 parties, 2.1 route legs and
0.35 notes.
"""
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum import imo, iso6346

from agencies.models import AgencyKind, Role
from cases.choices import UNITS_FOR_DRUG, HandlingCode, ShareLevel, Status

from .population import LIAISON, AgencyInfo, Population

HISTORY_DAYS = 6 * 365
REFERRAL_RATE = 0.05
SHARE_RATE = 0.06
RESTRICTED_RATE = 0.006
NAMED_GRANT_RATE = 0.004
HOT_CONTAINER_RATE = 0.02  # containers seen in more than one case: what identifier matching finds
HOT_CONTAINERS = 5000

DRUGS = [("cocaine", 60), ("cannabis_resin", 10), ("herbal_cannabis", 8), ("heroin", 5), ("mdma", 4),
         ("precursors", 4), ("amphetamine", 3), ("methamphetamine", 3), ("nps", 2), ("other", 1)]
CARRIERS = ["MSCU", "MAEU", "CMAU", "HLXU", "ONEU", "EGHU", "COSU", "TGHU", "SEGU", "TCLU"]
ORIGINS = ["ECGYE", "COCTG", "BRSSZ", "PECLL", "PAMIT", "CRMOB", "DOCAU", "GYGEO", "MXZLO", "CLSAI"]
TRANSSHIPMENT = ["PAMIT", "ESALG", "MAPTM", "PTSIE", "MTMAR", "JMKIN"]
CARGOES = ["bananas", "pineapples", "frozen shrimp", "cocoa beans", "timber", "coffee", "scrap metal", "flowers"]
COMPANY_WORDS = ["Frutas", "Nordic", "Global", "Hanse", "Scheldt", "Tropical", "Atlantic", "Maas", "Iberia", "Andes"]
COMPANY_KINDS = ["Trading", "Logistics", "Fresh Imports", "Shipping", "Forwarding", "Reefer Services"]
FIRST = ["Ricardo", "Dimitri", "Youssef", "Lars", "Kevin", "Marco", "Ana", "Pieter", "Sofia", "Jan", "Luis", "Eva"]
LAST = ["Mendes", "Verhoeven", "El Amrani", "Brandt", "Dumont", "Bianchi", "Jansen", "Garcia", "Novak", "Peeters"]


@dataclass(slots=True)
class CasePlan:
    index: int
    owner: str  # agency code
    creator: int  # user id
    title: str
    summary: str
    port: str
    seized_at: datetime.datetime
    created_at: datetime.datetime
    handling_code: str
    h3_conditions: str
    source_reliability: str
    information_assessment: int | None
    restricted: bool
    statuses: list[str]  # the workflow path after draft; the last is the status
    referred_to: str | None = None
    shares: list[tuple[str, str]] = field(default_factory=list)  # (agency code, level), besides the referral
    named: list[tuple[int, str]] = field(default_factory=list)  # (user id, level), besides the creator
    seizures: list[dict] = field(default_factory=list)
    identifiers: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, raw, normalised)
    parties: list[dict] = field(default_factory=list)
    route: list[tuple[str, str]] = field(default_factory=list)  # (locode, role)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.statuses[-1] if self.statuses else Status.DRAFT


def _weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def container(rng: random.Random) -> str:
    body = rng.choice(CARRIERS) + f"{rng.randrange(10**6):06d}"
    return body + iso6346.calc_check_digit(body)


def _hot_container(number: int) -> str:
    body = f"{CARRIERS[number % len(CARRIERS)]}{900000 + number:06d}"
    return body + iso6346.calc_check_digit(body)


def _workflow(rng: random.Random, age_days: float, referred: bool) -> list[str]:
    if referred:
        steps = [Status.OPEN, Status.REFERRED, Status.JUDICIAL, Status.CLOSED, Status.ARCHIVED]
        last = rng.choices([2, 3, 4, 5], weights=[50, 50, 0, 0] if age_days < 365 else [10, 40, 35, 15])[0]
        return steps[:last]
    if age_days < 30:
        return rng.choices([[], [Status.OPEN]], weights=[15, 85])[0]
    closed = [Status.OPEN, Status.CLOSED]
    if age_days < 365:
        return rng.choices([[Status.OPEN], closed], weights=[75, 25])[0]
    return rng.choices([[Status.OPEN], closed, closed + [Status.ARCHIVED]], weights=[20, 50, 30])[0]


def _share_target(rng: random.Random, population: Population, owner: AgencyInfo) -> str:
    pick = rng.random()
    if pick < 0.45:
        return LIAISON
    if pick < 0.85:
        others = [agency for agency in population.customs() if agency.code != owner.code]
        return rng.choices(others, weights=[agency.weight for agency in others])[0].code
    police = [agency.code for agency in population.agencies.values()
              if agency.kind == AgencyKind.POLICE and agency.country == owner.country]
    return police[0] if police else LIAISON


def _named_user(rng: random.Random, population: Population, owner: AgencyInfo, restricted: bool) -> int:
    if restricted:
        pool = owner.members.get(Role.OFFICER, []) + owner.members.get(Role.ANALYST, [])
    else:
        liaison = population.agencies[LIAISON]
        pool = liaison.members.get(Role.LIAISON_OFFICER, []) + owner.members.get(Role.AGENCY_ADMIN, [])
    return rng.choice(pool)


def _seizure(rng: random.Random) -> dict:
    drug = _weighted(rng, DRUGS)
    units = sorted(UNITS_FOR_DRUG[drug])
    unit = "kg" if "kg" in units and rng.random() < 0.8 else rng.choice(units)
    return {
        "drug": drug, "unit": unit, "quantity": Decimal(f"{rng.lognormvariate(4, 1.5):.3f}"),
        "form": rng.choice(["brick", "powder", "plant", "tablet", "liquid", ""]),
        "packages": rng.randrange(1, 2000) if rng.random() < 0.7 else None,
        "brick_marking": rng.choice(["", "", "Rolex", "Ferrari", "777", "Scorpion"]),
        "purity": Decimal(f"{rng.uniform(20, 95):.2f}") if rng.random() < 0.5 else None,
        "concealment": rng.choice(["rip_on_rip_off", "in_cargo", "container_structure", "reefer_unit", ""]),
        "detection": rng.choice(["risk_profile", "scan", "sniffer_dog", "physical_inspection", "intelligence"]),
        "transport_mode": "sea_container",
    }


def _identifiers(rng: random.Random) -> list[tuple[str, str, str]]:
    found = []
    if rng.random() < 0.85:
        number = _hot_container(rng.randrange(HOT_CONTAINERS)) if rng.random() < HOT_CONTAINER_RATE else container(rng)
        found.append(("container", f"{number[:4]} {number[4:10]}-{number[10]}", number))
    if rng.random() < 0.7:
        number = f"{rng.choice(CARRIERS)}{rng.randrange(10**9):09d}"
        found.append(("bill_of_lading", number, number))
    if rng.random() < 0.4:
        number = f"ML{rng.randrange(10**7):07d}"
        found.append(("seal", f"ML-{number[2:]}", number))
    if rng.random() < 0.5:
        body = f"{rng.randrange(910000, 999999):06d}"
        number = body + imo.calc_check_digit(body)
        found.append(("imo", f"IMO {number}", number))
    if rng.random() < 0.1:
        number = f"NL{rng.randrange(10**9):09d}"
        found.append(("eori", number, number))
    return found


def _company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.randrange(1, 400)}"


def _parties(rng: random.Random) -> list[dict]:
    parties = []
    for role, chance in (("shipper", 0.8), ("consignee", 0.85), ("notify_party", 0.3)):
        if rng.random() < chance:
            parties.append({"kind": "company", "role": role, "name": _company(rng), "date_of_birth": None,
                            "country": rng.choice(["EC", "CO", "NL", "BE", "DE", "ES", "PA"]),
                            "registration": f"REG{rng.randrange(10**7)}"})
    if rng.random() < 0.35:
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        parties.append({"kind": "person", "role": "suspect", "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        "date_of_birth": born, "country": rng.choice(["NL", "BE", "MA", "AL", "CO"]),
                        "registration": ""})
    return parties


def _route(rng: random.Random, port: str) -> list[tuple[str, str]]:
    legs = [(rng.choice(ORIGINS), "origin")] if rng.random() < 0.8 else []
    if rng.random() < 0.3:
        legs.append((rng.choice(TRANSSHIPMENT), "transshipment"))
    legs.append((port, "discharge"))
    return legs


def case_plans(population: Population, *, start: int, count: int, now: datetime.datetime, seed: int = 4):
    """Plans for cases number start .. start+count-1; the same numbers always give the same plans."""
    customs = population.customs()
    weights = [agency.weight for agency in customs]
    for index in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + index)
        owner = rng.choices(customs, weights=weights)[0]
        age_days = rng.uniform(0.05, HISTORY_DAYS)
        seized_at = now - datetime.timedelta(days=age_days)
        restricted = rng.random() < RESTRICTED_RATE
        referred = not restricted and population.prosecution_for(owner.country) and rng.random() < REFERRAL_RATE
        code = _weighted(rng, [(HandlingCode.H0, 78), (HandlingCode.H1, 12), (HandlingCode.H2, 7),
                               (HandlingCode.H3, 3)])
        cargo = rng.choice(CARGOES)
        seizures = [_seizure(rng) for _ in range(rng.choices([1, 2, 3], weights=[70, 20, 10])[0])]
        plan = CasePlan(
            index=index, owner=owner.code, creator=rng.choice(population.creators(owner)),
            title=f"{seizures[0]['drug'].replace('_', ' ').capitalize()} in {cargo} from {rng.choice(ORIGINS)} "
                  f"(bench #{index})",
            summary=f"Found during {seizures[0]['detection'].replace('_', ' ')} of a reefer container with "
                    f"{cargo}; {len(seizures)} item(s) seized at {owner.port}.",
            port=owner.port, seized_at=seized_at,
            created_at=min(now, seized_at + datetime.timedelta(hours=rng.uniform(1, 48))),
            handling_code=code,
            h3_conditions="Do not contact the consignee before the owner agrees." if code == HandlingCode.H3 else "",
            source_reliability=rng.choice(["", "A", "B", "C", "X"]),
            information_assessment=rng.choice([None, 1, 2, 3, 4]),
            restricted=restricted, statuses=_workflow(rng, age_days, bool(referred)), seizures=seizures,
            identifiers=_identifiers(rng), parties=_parties(rng), route=_route(rng, owner.port),
            notes=["Follow-up with the terminal operator."] * rng.choices([0, 1, 2], weights=[70, 25, 5])[0],
        )
        if referred:
            plan.referred_to = population.prosecution_for(owner.country).code
        if not restricted and rng.random() < SHARE_RATE:
            level = _weighted(rng, [(ShareLevel.VIEW, 70), (ShareLevel.CONTRIBUTE, 22), (ShareLevel.MANAGE, 8)])
            plan.shares.append((_share_target(rng, population, owner), level))
        if restricted or rng.random() < NAMED_GRANT_RATE:
            user = _named_user(rng, population, owner, restricted)
            level = rng.choice([ShareLevel.VIEW, ShareLevel.VIEW, ShareLevel.CONTRIBUTE])
            if user in owner.members.get(Role.ANALYST, []):  # an analyst's role allows view at most
                level = ShareLevel.VIEW
            if user != plan.creator:
                plan.named.append((user, level))
        yield plan
