"""What each generated case holds, decided once so that the bulk writer (bench.bulk) and the
service writer (bench.via_services) write the same cases from the same plan.

Proportions, per case: about 10% shared with a second agency (half of them referrals to the
national prosecutor, which the workflow turns into a contribute share), 1% opened to named
users (0.6% restricted), 1.4 seizure items, 2.85 identifiers, 2.3 parties, 2.1 route legs and
0.35 notes.

The values that matching compares (identifiers, company names and registrations, persons with
their date of birth) are each one of three sorts (`RECURRENCE`): most occur in one case only;
a few per cent recur in a few cases, mostly of different agencies (the same container, phone or
company in seizures at Rotterdam and Antwerp); and a handful (a shipping line's switchboard, a
big forwarder, a large vessel) are so frequent that MATCHING_MAX_CASES stops them.
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
# Matching: recurring values are drawn from a pool of their own for each block of RECURRING_BLOCK
# consecutive cases, so a recurring value is held by about as many cases at every size (the pool
# grows with the data); frequent values come from a fixed handful and grow with the data.
RECURRING_BLOCK = 10_000


@dataclass(frozen=True)
class Recurrence:
    recurring: float  # share of the values drawn from the block's recurring pool
    pool: int  # recurring values per block: cases per recurring value = uses per block / pool
    frequent: float = 0.0  # share drawn from the frequent handful
    frequent_values: int = 0


# Cases per recurring value: about 3 for every kind (e.g. containers: 0.85 x 3% x 10,000 / 85).
# Frequent values are held by 30 cases and more already at 10,000 cases. Seals are never reused.
RECURRENCE = {
    "container": Recurrence(0.03, 85),
    "bill_of_lading": Recurrence(0.005, 12),
    "imo": Recurrence(0.1, 170, 0.05, 8),
    "eori": Recurrence(0.1, 33),
    "phone": Recurrence(0.04, 40, 0.03, 3),
    "company": Recurrence(0.03, 195, 0.02, 10),
    "person": Recurrence(0.03, 35),
}

DRUGS = [("cocaine", 60), ("cannabis_resin", 10), ("herbal_cannabis", 8), ("heroin", 5), ("mdma", 4),
         ("precursors", 4), ("amphetamine", 3), ("methamphetamine", 3), ("nps", 2), ("other", 1)]
CARRIERS = ["MSCU", "MAEU", "CMAU", "HLXU", "ONEU", "EGHU", "COSU", "TGHU", "SEGU", "TCLU"]
LESSORS = ["TRIU", "CAIU", "TCNU", "GESU", "FSCU", "DFSU", "BMOU", "CRSU"]  # recurring containers
ORIGINS = ["ECGYE", "COCTG", "BRSSZ", "PECLL", "PAMIT", "CRMOB", "DOCAU", "GYGEO", "MXZLO", "CLSAI"]
TRANSSHIPMENT = ["PAMIT", "ESALG", "MAPTM", "PTSIE", "MTMAR", "JMKIN"]
CARGOES = ["bananas", "pineapples", "frozen shrimp", "cocoa beans", "timber", "coffee", "scrap metal", "flowers"]
COMPANY_WORDS = ["Frutas", "Nordic", "Global", "Hanse", "Scheldt", "Tropical", "Atlantic", "Maas", "Iberia", "Andes"]
COMPANY_KINDS = ["Trading", "Logistics", "Fresh Imports", "Shipping", "Forwarding", "Reefer Services"]
LEGAL_FORMS = ["B.V.", "BV", "N.V.", "GmbH", "S.A.", "Ltd", ""]
# Frequent companies: the carriers and forwarders named on a good part of all bills of lading.
BIG_COMPANIES = ["Maersk Line A/S", "MSC Mediterranean Shipping Company S.A.", "CMA CGM S.A.", "Hapag-Lloyd AG",
                 "Kuehne + Nagel AG", "DB Schenker", "DHL Global Forwarding", "DSV A/S", "Ocean Network Express",
                 "Evergreen Marine Corp"]
SYLLABLES = ["ka", "lo", "mi", "re", "su", "ta", "vo", "ne", "di", "ra", "bo", "fe", "gu", "ha", "ji", "ko", "lu",
             "ma", "no", "pe", "ri", "sa", "te", "zo"]
# Persons: a name and a date of birth for each case number (unique), and other names for those
# who recur, so that the two sorts never meet by chance.
FIRST = ["Ricardo", "Dimitri", "Youssef", "Lars", "Kevin", "Marco", "Ana", "Pieter", "Sofia", "Jan", "Luis", "Eva"]
LAST = ["Mendes", "Verhoeven", "El Amrani", "Brandt", "Dumont", "Bianchi", "Jansen", "Garcia", "Novak", "Peeters"]
RECURRING_FIRST = ["Ivan", "Mehmet", "Nikos", "Bogdan", "Rui", "Karim", "Tomasz", "Elena", "Joao", "Arben"]
RECURRING_LAST = ["Kovac", "Yilmaz", "Papadakis", "Popescu", "Ferreira", "Benali", "Kowalski", "Rossi", "Hoxha",
                  "Silva"]
BORN_FROM = datetime.date(1960, 1, 1)


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


def _draw(rng: random.Random, kind: str, unique: int, index: int) -> tuple[str, int]:
    """Which value of `kind` case number `index` holds: ("unique", `unique`), ("recurring", n) from
    its block's pool, or ("frequent", n)."""
    profile = RECURRENCE[kind]
    pick = rng.random()
    if pick < profile.frequent:
        return "frequent", rng.randrange(profile.frequent_values)
    if pick < profile.frequent + profile.recurring:
        return "recurring", (index // RECURRING_BLOCK) * profile.pool + rng.randrange(profile.pool)
    return "unique", unique


def _container_number(sort: str, number: int) -> str:
    if sort == "unique":  # one per case number, up to 10 million cases
        body = f"{CARRIERS[number % len(CARRIERS)]}{number // len(CARRIERS) % 10**6:06d}"
    else:
        body = f"{LESSORS[number % len(LESSORS)]}{number // len(LESSORS) % 10**6:06d}"
    return body + iso6346.calc_check_digit(body)


def new_container(number: int) -> str:
    """The `number`th container number that no generated case holds (for identifiers added later)."""
    body = f"PCXU{number % 10**6:06d}"
    return body + iso6346.calc_check_digit(body)


def _imo_number(sort: str, number: int) -> str:
    """Six digits and a check digit: a million numbers in all. Unique vessels take the first
    900,000 (so from 900,000 cases on, a few start to recur, as a real fleet's would),
    recurring ones the next 90,000, frequent ones the last."""
    offset = {"unique": (0, 900_000), "recurring": (900_000, 90_000), "frequent": (990_000, 10_000)}[sort]
    body = f"{offset[0] + number * 7919 % offset[1]:06d}"
    return body + imo.calc_check_digit(body)


def _phone(sort: str, number: int) -> tuple[str, str]:
    """(as typed, E.164): Dutch mobiles for unique numbers, Spanish ones for recurring numbers,
    Rotterdam switchboards for the frequent ones."""
    if sort == "unique":
        national = f"6 {10_000_000 + number % 40_000_000:08d}"
        return f"+31 {national}", "+31" + national.replace(" ", "")
    if sort == "recurring":
        digits = f"6{number % 10**8:08d}"
        return f"0034 {digits[:3]} {digits[3:6]} {digits[6:]}", "+34" + digits
    digits = f"10{4_000_000 + number:07d}"
    return f"+31 {digits[:2]} {digits[2:5]} {digits[5:]}", "+31" + digits


def _syllable_word(number: int, syllables: int) -> str:
    letters = []
    for _ in range(syllables):
        number, digit = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
    return "".join(letters).capitalize()


def _identifiers(rng: random.Random, index: int) -> list[tuple[str, str, str]]:
    found = []
    if rng.random() < 0.85:
        number = _container_number(*_draw(rng, "container", index, index))
        raw = rng.choice([f"{number[:4]} {number[4:10]}-{number[10]}", number, f"{number[:4]}-{number[4:]}".lower()])
        found.append(("container", raw, number))
    if rng.random() < 0.7:
        sort, number = _draw(rng, "bill_of_lading", index, index)
        value = f"{CARRIERS[number % len(CARRIERS)]}{'' if sort == 'unique' else 'R'}{number // len(CARRIERS):09d}"
        found.append(("bill_of_lading", value, value))
    if rng.random() < 0.4:
        value = f"ML{index:08d}"
        found.append(("seal", f"ML-{value[2:]}", value))
    if rng.random() < 0.5:
        number = _imo_number(*_draw(rng, "imo", index, index))
        found.append(("imo", f"IMO {number}", number))
    if rng.random() < 0.1:
        sort, number = _draw(rng, "eori", index, index)
        value = f"{'NL' if sort == 'unique' else 'BE'}{number:09d}"
        found.append(("eori", value, value))
    if rng.random() < 0.3:
        raw, value = _phone(*_draw(rng, "phone", index, index))
        found.append(("phone", raw, value))
    return found


def _company(rng: random.Random, index: int, slot: int) -> tuple[str, str]:
    """(name, registration) of one of a case's companies, spelled as that case's officer wrote it."""
    sort, number = _draw(rng, "company", 3 * index + slot, index)
    registration = ""
    if sort == "unique":  # a made-up word of five syllables: 7.9 million companies
        name = f"{_syllable_word(number, 5)} {COMPANY_KINDS[number % len(COMPANY_KINDS)]}"
        registration = f"KVK {number:08d}"
    elif sort == "recurring":
        name = (f"{COMPANY_WORDS[number % len(COMPANY_WORDS)]} {_syllable_word(number // len(COMPANY_WORDS), 3)} "
                f"{COMPANY_KINDS[number // 7 % len(COMPANY_KINDS)]}")
        registration = f"HRB {number:07d}"
    else:
        name = BIG_COMPANIES[number]
        registration = f"CVR {number:08d}"
    form = rng.choice(LEGAL_FORMS)
    if sort != "frequent" and form:
        name = f"{name} {form}"
    if rng.random() < 0.2:
        name = name.upper()
    return name, registration if rng.random() < 0.6 else ""


def _person(rng: random.Random, index: int) -> tuple[str, datetime.date | None]:
    sort, number = _draw(rng, "person", index, index)
    if sort == "unique":  # a different name and date of birth for each of 1.75 million cases
        first, last = FIRST[number % len(FIRST)], LAST[number // len(FIRST) % len(LAST)]
        born = BORN_FROM + datetime.timedelta(days=number // (len(FIRST) * len(LAST)))
    else:
        first = RECURRING_FIRST[number % len(RECURRING_FIRST)]
        last = RECURRING_LAST[number // len(RECURRING_FIRST) % len(RECURRING_LAST)]
        born = BORN_FROM + datetime.timedelta(days=number // (len(RECURRING_FIRST) * len(RECURRING_LAST)))
    name = rng.choice([f"{first} {last}", f"{last.upper()}, {first}"])
    return name, born if rng.random() < 0.8 else None  # no date of birth: no match key


def _parties(rng: random.Random, index: int) -> list[dict]:
    parties = []
    for slot, (role, chance) in enumerate((("shipper", 0.8), ("consignee", 0.85), ("notify_party", 0.3))):
        if rng.random() < chance:
            name, registration = _company(rng, index, slot)
            parties.append({"kind": "company", "role": role, "name": name, "date_of_birth": None,
                            "country": rng.choice(["EC", "CO", "NL", "BE", "DE", "ES", "PA"]),
                            "registration": registration})
    if rng.random() < 0.35:
        name, born = _person(rng, index)
        parties.append({"kind": "person", "role": "suspect", "name": name, "date_of_birth": born,
                        "country": rng.choice(["NL", "BE", "MA", "AL", "CO"]), "registration": ""})
    return parties


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
            identifiers=_identifiers(rng, index), parties=_parties(rng, index), route=_route(rng, owner.port),
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
