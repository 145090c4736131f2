"""Demo seizure cases, written through the services so they carry real audit records.

Deterministic: the same seed gives the same cases, and a case whose title already exists
for its agency is left alone, so running the seed again creates nothing twice.
"""
import datetime
import random
from decimal import Decimal

from django.utils import timezone
from stdnum import imo, iso6346

from .choices import HandlingCode, ShareLevel, Status
from .models import Case
from .services import (
    case_create,
    case_grant_user,
    case_share,
    case_transition,
    identifier_add,
    note_add,
    party_add,
    route_leg_add,
    seizure_add,
)

CARRIER_PREFIXES = ["MSCU", "MAEU", "CMAU", "HLXU", "ONEU", "EGHU", "COSU", "TGHU", "SEGU", "TCLU"]
ORIGINS = ["ECGYE", "COCTG", "BRSSZ", "PECLL", "PAMIT", "CRMOB", "DOCAU", "GYGEO"]
TRANSSHIPMENT = ["PAMIT", "ESALG", "MAPTM", "PTSIE"]
CARGOES = ["bananas", "pineapples", "frozen shrimp", "cocoa beans", "timber", "coffee", "scrap metal", "flowers"]
# Each agency's companies are its own (eight each: the seeded random draws stay the same), but
# for one consignee Hamburg writes as ROTTERDAM FRUIT TRADERS BV: a deliberate company hit.
COMPANIES = {
    "NL-CUS-RTM": ["Nordic Fresh Imports B.V.", "Maasvlakte Cargo Services", "Rotterdam Fruit Traders B.V.",
                   "Delta Koel Logistiek B.V.", "Waalhaven Reefer Services", "Botlek Trading B.V.",
                   "Holland Tropical Foods", "Eemhaven Forwarding B.V."],
    "BE-CUS-ANR": ["Scheldt Forwarding NV", "Antwerp Fresh Distribution NV", "Flanders Fruit Import BV",
                   "Kallo Reefer Logistics", "Deurganck Shipping NV", "Zandvliet Trading", "Brabo Cargo Services NV",
                   "Linkeroever Foods BV"],
    "DE-ZOLL-HAM": ["Hanse Trading GmbH", "Elbe Frischimport GmbH", "Altona Kühllogistik GmbH",
                    "Waltershof Cargo GmbH", "Nordsee Fruchthandel GmbH", "Steinwerder Logistik KG",
                    "Hamburg Tropic Foods GmbH", "ROTTERDAM FRUIT TRADERS BV"],
}
SUSPECTS = ["Ricardo Mendes", "Dimitri Verhoeven", "Youssef El Amrani", "Lars Brandt", "Kevin Dumont", "Marco Bianchi"]
PORT_BY_AGENCY = {"NL-CUS-RTM": "NLRTM", "BE-CUS-ANR": "BEANR", "DE-ZOLL-HAM": "DEHAM"}
OFFICER_BY_AGENCY = {"NL-CUS-RTM": "rtm.officer", "BE-CUS-ANR": "anr.officer", "DE-ZOLL-HAM": "ham.officer"}
PROSECUTION_BY_AGENCY = {"NL-CUS-RTM": "NL-OM-RTM", "BE-CUS-ANR": "BE-PROS-ANR"}
SHARED_CONTAINER = "MSCU482915" + iso6346.calc_check_digit("MSCU482915")


def container_number(rng: random.Random) -> str:
    body = rng.choice(CARRIER_PREFIXES) + f"{rng.randrange(10**6):06d}"
    return body + iso6346.calc_check_digit(body)


def imo_number(rng: random.Random) -> str:
    body = f"{rng.randrange(9_100_000, 9_999_999) // 10:06d}"
    return body + imo.calc_check_digit(body)


def _plan(rng: random.Random) -> list[dict]:
    """Thirty-three cases: ordinary ones and the special ones the stories need."""
    plans = []
    for agency, count in (("NL-CUS-RTM", 12), ("BE-CUS-ANR", 11), ("DE-ZOLL-HAM", 10)):
        for number in range(count):
            cargo = rng.choice(CARGOES)
            plans.append({
                "agency": agency,
                "title": f"Cocaine in {cargo} from {rng.choice(ORIGINS)} ({PORT_BY_AGENCY[agency]} #{number + 1})",
                "handling_code": HandlingCode.H0,
                "status": rng.choice([Status.DRAFT, Status.OPEN, Status.OPEN, Status.OPEN, Status.CLOSED]),
                "share": None,
                "cargo": cargo,
            })
    rtm, anr = plans[0:12], plans[12:23]
    rtm[0].update(title="Rip-on/rip-off: cocaine in a reefer container with bananas", status=Status.REFERRED,
                  share=("EU-LIA", ShareLevel.CONTRIBUTE), container=SHARED_CONTAINER)
    rtm[1].update(title="Insider at terminal: restricted investigation", restricted=True, status=Status.OPEN)
    rtm[2].update(title="Informant lead on cocaine in pineapples (H1)", handling_code=HandlingCode.H1,
                  status=Status.OPEN, share=("EU-LIA", ShareLevel.VIEW))
    rtm[3].update(title="Joint Antwerp-Rotterdam line: no onward sharing (H2)", handling_code=HandlingCode.H2,
                  status=Status.OPEN, share=("EU-LIA", ShareLevel.MANAGE))
    rtm[4].update(title="Cocaine in frozen shrimp: conditions apply (H3)", handling_code=HandlingCode.H3,
                  h3_conditions="Do not contact the consignee; the Dutch FIOD runs a parallel financial inquiry.",
                  status=Status.OPEN, share=("BE-CUS-ANR", ShareLevel.VIEW))
    anr[0].update(title="Cocaine behind reefer panels, same container as Rotterdam", status=Status.REFERRED,
                  container=SHARED_CONTAINER, share=("EU-LIA", ShareLevel.VIEW))
    anr[1].update(status=Status.JUDICIAL)
    plans[23].update(share=("EU-LIA", ShareLevel.CONTRIBUTE), status=Status.OPEN)
    return plans


def _walk_to(actor, case: Case, status: str, agency: str, users: dict) -> None:
    steps = {
        Status.DRAFT: [],
        Status.OPEN: [Status.OPEN],
        Status.CLOSED: [Status.OPEN, Status.CLOSED],
        Status.REFERRED: [Status.OPEN, Status.REFERRED],
        Status.JUDICIAL: [Status.OPEN, Status.REFERRED, Status.JUDICIAL],
    }[status]
    for step in steps:
        mover = actor
        if step == Status.JUDICIAL:
            mover = users["anr.prosecutor" if agency == "BE-CUS-ANR" else "rtm.prosecutor"]
        case_transition(actor=mover, case_id=case.pk, to=step, reason="Demo workflow",
                        agency_code=PROSECUTION_BY_AGENCY.get(agency))


def _add_parts(actor, case: Case, plan: dict, rng: random.Random) -> None:
    kg = Decimal(rng.randrange(40, 4000)) / Decimal(2)
    seizure_add(actor=actor, case_id=case.pk, drug="cocaine", quantity=kg, unit="kg", form="brick",
                packages=int(kg), brick_marking=rng.choice(["♛ crown", "Rolex", "Batman", "DOLLAR", "747"]),
                purity=Decimal(rng.randrange(6000, 9200)) / 100, concealment=rng.choice(
                    ["rip_on_rip_off", "in_cargo", "reefer_unit", "container_structure"]),
                detection=rng.choice(["risk_profile", "scan", "sniffer_dog", "intelligence"]),
                transport_mode="sea_container")
    identifier_add(actor=actor, case_id=case.pk, kind="container",
                   value=plan.get("container") or container_number(rng))
    identifier_add(actor=actor, case_id=case.pk, kind="imo", value=f"IMO {imo_number(rng)}")
    identifier_add(actor=actor, case_id=case.pk, kind="bill_of_lading",
                   value=f"{rng.choice(['MEDU', 'MAEU', 'CMDU'])}{rng.randrange(10**8):08d}")
    origin = rng.choice(ORIGINS)
    route_leg_add(actor=actor, case_id=case.pk, locode=origin, role="loading")
    route_leg_add(actor=actor, case_id=case.pk, locode=rng.choice(TRANSSHIPMENT), role="transshipment")
    route_leg_add(actor=actor, case_id=case.pk, locode=case.port, role="discharge")
    companies = COMPANIES[plan["agency"]]
    party_add(actor=actor, case_id=case.pk, kind="company", role="shipper", name=rng.choice(companies),
              country=origin[:2])
    party_add(actor=actor, case_id=case.pk, kind="company", role="consignee", name=rng.choice(companies),
              country=case.port[:2])
    if rng.random() < 0.5:
        party_add(actor=actor, case_id=case.pk, kind="person", role="suspect", name=rng.choice(SUSPECTS),
                  date_of_birth=datetime.date(rng.randrange(1965, 2002), rng.randrange(1, 13), rng.randrange(1, 28)))
    note_add(actor=actor, case_id=case.pk, text=f"Consignment of {plan['cargo']} flagged by risk profile.",
             source_reliability="B", information_assessment=2)


def seed_cases(*, users: dict, seed: int = 20261127) -> int:
    """Create the demo cases that do not exist yet; returns how many were created."""
    rng = random.Random(seed)
    created = 0
    now = timezone.now()
    for index, plan in enumerate(_plan(rng)):
        agency = plan["agency"]
        actor = users[OFFICER_BY_AGENCY[agency]]
        if Case.objects.filter(owner_agency__code=agency, title=plan["title"]).exists():
            continue
        case = case_create(
            actor=actor,
            title=plan["title"],
            summary=f"Seizure of cocaine concealed in a consignment of {plan['cargo']}.",
            port=PORT_BY_AGENCY[agency],
            seized_at=now - datetime.timedelta(days=3 * index + 1, hours=index),
            handling_code=plan["handling_code"],
            h3_conditions=plan.get("h3_conditions", ""),
            source_reliability="B",
            information_assessment=2,
            legal_basis="Art. 46 Union Customs Code; national criminal procedure",
            restricted=plan.get("restricted", False),
        )
        _add_parts(actor, case, plan, rng)
        if plan.get("restricted"):
            case_grant_user(actor=actor, case_id=case.pk, user=users["liaison.officer"], level=ShareLevel.VIEW,
                            justification="Liaison support to the insider investigation")
        if plan["share"]:
            code, level = plan["share"]
            case_share(actor=actor, case_id=case.pk, agency_code=code, level=level, justification="Demo share")
        _walk_to(actor, case, plan["status"], agency, users)
        created += 1
    return created
