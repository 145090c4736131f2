from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    REFERRED = "referred", _("Referred")
    JUDICIAL = "judicial", _("Judicial")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class HandlingCode(models.TextChoices):
    H0 = "H0", _("H0 — law-enforcement use only")
    H1 = "H1", _("H1 — not for judicial use without the owner's permission")
    H2 = "H2", _("H2 — no onward sharing without the owner's permission")
    H3 = "H3", _("H3 — conditions apply")


class SourceReliability(models.TextChoices):
    A = "A", _("A — no doubt about the source")
    B = "B", _("B — source mostly reliable")
    C = "C", _("C — source mostly not reliable")
    X = "X", _("X — reliability cannot be assessed")


class InformationAssessment(models.IntegerChoices):
    KNOWN = 1, _("1 — known to be true without reservation")
    KNOWN_TO_SOURCE = 2, _("2 — known personally to the source")
    NOT_KNOWN_CORROBORATED = 3, _("3 — not known personally, corroborated")
    CANNOT_BE_JUDGED = 4, _("4 — cannot be judged")


class ShareLevel(models.TextChoices):
    VIEW = "view", _("View")
    CONTRIBUTE = "contribute", _("Contribute")
    MANAGE = "manage", _("Manage")


class DrugCategory(models.TextChoices):
    """The EUDA (formerly EMCDDA) seizure categories."""

    COCAINE = "cocaine", _("Cocaine")
    HERBAL_CANNABIS = "herbal_cannabis", _("Herbal cannabis")
    CANNABIS_RESIN = "cannabis_resin", _("Cannabis resin")
    HEROIN = "heroin", _("Heroin")
    AMPHETAMINE = "amphetamine", _("Amphetamine")
    METHAMPHETAMINE = "methamphetamine", _("Methamphetamine")
    MDMA = "mdma", _("MDMA")
    NPS = "nps", _("New psychoactive substances")
    PRECURSORS = "precursors", _("Precursors")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    KG = "kg", _("kilograms")
    G = "g", _("grams")
    TABLETS = "tablets", _("tablets")
    DOSES = "doses", _("doses")
    PLANTS = "plants", _("plants")
    LITRES = "l", _("litres")


# Which units make sense for which drug: cocaine is weighed, ecstasy is counted in tablets.
UNITS_FOR_DRUG: dict[str, set[str]] = {
    DrugCategory.COCAINE: {Unit.KG, Unit.G},
    DrugCategory.HERBAL_CANNABIS: {Unit.KG, Unit.G, Unit.PLANTS},
    DrugCategory.CANNABIS_RESIN: {Unit.KG, Unit.G},
    DrugCategory.HEROIN: {Unit.KG, Unit.G},
    DrugCategory.AMPHETAMINE: {Unit.KG, Unit.G, Unit.TABLETS, Unit.LITRES},
    DrugCategory.METHAMPHETAMINE: {Unit.KG, Unit.G, Unit.TABLETS, Unit.LITRES},
    DrugCategory.MDMA: {Unit.KG, Unit.G, Unit.TABLETS},
    DrugCategory.NPS: {Unit.KG, Unit.G, Unit.TABLETS, Unit.DOSES, Unit.LITRES},
    DrugCategory.PRECURSORS: {Unit.KG, Unit.G, Unit.LITRES},
    DrugCategory.OTHER: set(Unit.values),
}


class DrugForm(models.TextChoices):
    POWDER = "powder", _("Powder")
    BRICK = "brick", _("Brick")
    LIQUID = "liquid", _("Liquid")
    TABLET = "tablet", _("Tablet")
    PLANT = "plant", _("Plant material")
    PASTE = "paste", _("Paste")
    OTHER = "other", _("Other")


class Concealment(models.TextChoices):
    RIP_ON_RIP_OFF = "rip_on_rip_off", _("Rip-on/rip-off (in container, outside the cargo)")
    IN_CARGO = "in_cargo", _("Hidden in the cargo")
    CONTAINER_STRUCTURE = "container_structure", _("In the container structure")
    REEFER_UNIT = "reefer_unit", _("In the reefer unit")
    VESSEL_HULL = "vessel_hull", _("On or in the vessel's hull")
    VEHICLE = "vehicle", _("In a vehicle")
    PERSON = "person", _("On a person")
    OTHER = "other", _("Other")


class DetectionMethod(models.TextChoices):
    RISK_PROFILE = "risk_profile", _("Risk profiling")
    SCAN = "scan", _("X-ray scan")
    SNIFFER_DOG = "sniffer_dog", _("Sniffer dog")
    PHYSICAL_INSPECTION = "physical_inspection", _("Physical inspection")
    INTELLIGENCE = "intelligence", _("Intelligence")
    OTHER = "other", _("Other")


class TransportMode(models.TextChoices):
    SEA_CONTAINER = "sea_container", _("Sea container")
    RORO = "roro", _("Ro-ro")
    BULK = "bulk", _("Bulk")
    PASSENGER = "passenger", _("Passenger")
    OTHER = "other", _("Other")


class RouteRole(models.TextChoices):
    ORIGIN = "origin", _("Origin")
    LOADING = "loading", _("Port of loading")
    TRANSSHIPMENT = "transshipment", _("Transshipment")
    DISCHARGE = "discharge", _("Port of discharge")
    DESTINATION = "destination", _("Destination")


class IdentifierKind(models.TextChoices):
    CONTAINER = "container", _("Container number (ISO 6346)")
    IMO = "imo", _("Vessel IMO number")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading")
    SEAL = "seal", _("Seal number")
    EORI = "eori", _("EORI number")
    COMPANY_REGISTRATION = "company_registration", _("Company registration")
    PHONE = "phone", _("Phone number")
    VEHICLE_PLATE = "vehicle_plate", _("Vehicle plate")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class PartyRole(models.TextChoices):
    SHIPPER = "shipper", _("Shipper")
    CONSIGNEE = "consignee", _("Consignee")
    NOTIFY_PARTY = "notify_party", _("Notify party")
    FORWARDER = "forwarder", _("Forwarder")
    BROKER = "broker", _("Customs broker")
    HAULIER = "haulier", _("Haulier")
    SUSPECT = "suspect", _("Suspect")


class DocumentKind(models.TextChoices):
    SEIZURE_REPORT = "seizure_report", _("Seizure report")
    PHOTO = "photo", _("Photo")
    LAB_REPORT = "lab_report", _("Laboratory report")
    MANIFEST = "manifest", _("Manifest")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


# What a match key stands for (hit/no-hit): every identifier kind, and a party's name.
MatchKeyKind = models.TextChoices("MatchKeyKind", [
    *((kind.name, (kind.value, kind.label)) for kind in IdentifierKind),
    ("COMPANY", ("company", _("Company name"))),
    ("PERSON", ("person", _("Person (name and date of birth)"))),
])
