"""The prosecutor's case file (issue 16): the whole of one case, as one reader may see it.

Read through the access policy (case_get), never recorded here: the caller (the review page,
the PDF task) records the consultation first (case_consult), so the H3 conditions and the
justification rules apply to every read. One dossier feeds both the page and the PDF.

Each item that may serve as evidence (the case itself, its documents, notes and exhibits)
carries its standing (cases.selectors_evidence): on an H1 case read by another agency, an item
is usable once the owner granted it, and withheld with its reason until then.

The chronology is the case's audit trail reduced to acts (collection, alteration, disclosure,
erasure): consultations and refused attempts are not part of the case's story. What the Activity
tab shows only to the owner side (who received a disclosure, the stated reasons, the matching
with other agencies' cases) stays with the owner side here too; another agency sees its own
evidence-use requests only.
"""
import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import active_membership
from audit.models import AuditEvent, Operation
from audit.selectors import case_events

from .choices import HandlingCode, Status
from .models import Case, CustodyEvent, Document, EvidenceItemType, Exhibit, Note
from .selectors import case_get
from .selectors_evidence import EvidenceStanding, evidence_standing, needs_permission, standing_of, withheld_reason
from .templatetags.portcullis import event_label

CHRONOLOGY_OPERATIONS = (Operation.COLLECTION, Operation.ALTERATION, Operation.DISCLOSURE, Operation.ERASURE)
# Acts of the cross-agency matching: they tell of other agencies' cases, which only the owning
# agency is shown (its hits; cases.selectors_hits.sees_hits_of).
MATCHING_ACTS = {"access_request_decide", "access_request_expire", "identifier_exclude_from_matching"}
# Evidence-use requests (H1): another agency is shown only its own (cases.selectors_evidence);
# each record names the requesting agency as its recipient.
EVIDENCE_ACTS = {"evidence_request_file", "evidence_request_grant", "evidence_request_refuse"}
EVIDENCE_ORDER = {EvidenceItemType.CASE: 0, EvidenceItemType.EXHIBIT: 1, EvidenceItemType.DOCUMENT: 2,
                  EvidenceItemType.NOTE: 3}
# The level of access that sees who else holds the case (cases.selectors.case_shares).
OWNER_SIDE = {"owner", "manage"}
STATUS_LABELS = dict(Status.choices)
HASH_SHOWN = 12  # leading hex digits of a SHA-256 in a one-line label


@dataclass
class CustodyLine:
    event: CustodyEvent
    corrected_number: int | None  # position of the corrected event in this chain, 1-based
    position: int  # 1-based, oldest first


@dataclass
class ExhibitEntry:
    exhibit: Exhibit
    custody: list[CustodyLine]  # oldest first
    standing: EvidenceStanding


@dataclass
class DocumentEntry:
    document: Document
    standing: EvidenceStanding
    integrity: str  # "ok", "failed" or "unchecked"


@dataclass
class NoteEntry:
    note: Note
    standing: EvidenceStanding


@dataclass
class ChronologyEntry:
    at: datetime.datetime
    actor: str  # username, "" for the system
    actor_agency: str  # agency code at the time, ""
    act: str  # translated label
    detail: str  # nothing the reader could not see elsewhere in the dossier


@dataclass
class EvidenceEntry:
    item_type: str  # EvidenceItemType value
    item_id: str
    label: str
    standing: EvidenceStanding
    withheld_reason: str  # "" when usable

    @property
    def kind_label(self) -> str:
        return str(EvidenceItemType(self.item_type).label)


@dataclass
class CaseFileDossier:
    case: Case
    reader: AbstractBaseUser
    reader_agency: Agency
    generated_at: datetime.datetime
    handling_code: str
    handling_label: str
    h3_conditions: str
    seizures: list = field(default_factory=list)
    route: list = field(default_factory=list)
    parties: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    notes: list[NoteEntry] = field(default_factory=list)
    exhibits: list[ExhibitEntry] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    chronology: list[ChronologyEntry] = field(default_factory=list)
    evidence: list[EvidenceEntry] = field(default_factory=list)
    case_standing: EvidenceStanding | None = None

    @property
    def usable_evidence(self) -> list[EvidenceEntry]:
        return [entry for entry in self.evidence if entry.standing.usable]

    @property
    def withheld_evidence(self) -> list[EvidenceEntry]:
        return [entry for entry in self.evidence if not entry.standing.usable]


def case_file_dossier(*, user, case_id) -> CaseFileDossier:
    """The case file of `case_id` as `user` may see it, or NotVisible. Records nothing: call
    case_consult first (what="parties": the file holds personal data)."""
    return case_file_dossier_of(user=user, case=case_get(user=user, case_id=case_id))


def case_file_dossier_of(*, user, case: Case) -> CaseFileDossier:
    """The dossier of a case `user` already holds from case_get (parts loaded, `access` set)."""
    agency = active_membership(user).agency
    standings = (evidence_standing(case=case, agency_id=agency.pk)
                 if needs_permission(case=case, agency_id=agency.pk) else {})

    def standing(item_type: str, item_id) -> EvidenceStanding:
        return standing_of(standings, case=case, agency_id=agency.pk, item_type=item_type, item_id=item_id)

    notes = [NoteEntry(note, standing(EvidenceItemType.NOTE, note.pk))
             for note in sorted(case.notes.all(), key=lambda note: (note.created_at, note.pk))]
    documents = [DocumentEntry(document, standing(EvidenceItemType.DOCUMENT, document.pk), _integrity(document))
                 for document in _documents(case)]
    exhibits = [ExhibitEntry(exhibit, _custody_lines(exhibit), standing(EvidenceItemType.EXHIBIT, exhibit.pk))
                for exhibit in _exhibits(case)]
    case_standing = standing(EvidenceItemType.CASE, case.pk)
    return CaseFileDossier(
        case=case,
        reader=user,
        reader_agency=agency,
        generated_at=timezone.now(),
        handling_code=case.handling_code,
        handling_label=case.get_handling_code_display(),
        h3_conditions=case.h3_conditions if case.handling_code == HandlingCode.H3 else "",
        seizures=list(case.seizures.all()),
        route=sorted(case.route.all(), key=lambda leg: leg.sequence),
        parties=sorted(case.parties.all(), key=lambda party: (party.role, party.name.casefold(), party.pk)),
        identifiers=sorted(case.identifiers.all(), key=lambda identifier: (identifier.kind, identifier.value)),
        notes=notes,
        exhibits=exhibits,
        documents=documents,
        chronology=_chronology(case, agency, exhibits, documents),
        evidence=_evidence(case, case_standing, notes, documents, exhibits),
        case_standing=case_standing,
    )


def _documents(case: Case) -> list[Document]:
    return list(Document.objects.filter(case_id=case.pk).select_related("created_by").order_by("created_at", "id"))


def _exhibits(case: Case) -> list[Exhibit]:
    """The exhibits in number order, each with its whole chain of custody: two queries however many."""
    custody = CustodyEvent.objects.select_related("recorded_by").order_by("recorded_at", "id")
    return list(Exhibit.objects.filter(case_id=case.pk).select_related("seizure")
                .prefetch_related(Prefetch("custody", queryset=custody)).order_by("number"))


def _custody_lines(exhibit: Exhibit) -> list[CustodyLine]:
    events = list(exhibit.custody.all())
    position = {event.pk: number for number, event in enumerate(events, start=1)}
    return [CustodyLine(event, position.get(event.corrects_id), position[event.pk]) for event in events]


def _integrity(document: Document) -> str:
    if document.integrity_failed_at:
        return "failed"
    return "ok" if document.integrity_checked_at else "unchecked"


def short_hash(sha256: str) -> str:
    return f"{sha256[:HASH_SHOWN]}…"


def _evidence(case, case_standing, notes, documents, exhibits) -> list[EvidenceEntry]:
    """Every item that may serve as evidence, with its standing: the case, then its exhibits,
    documents and notes."""
    items = [(EvidenceItemType.CASE, case.pk, _("The case itself: %(reference)s") % {"reference": case.reference},
              case_standing)]
    items += [(EvidenceItemType.EXHIBIT, entry.exhibit.pk, f"{entry.exhibit.number} — {entry.exhibit.description}",
               entry.standing) for entry in exhibits]
    items += [(EvidenceItemType.DOCUMENT, entry.document.pk,
               _("Document: %(title)s (sha256 %(hash)s)") % {"title": entry.document.title,
                                                              "hash": short_hash(entry.document.sha256)},
               entry.standing) for entry in documents]
    items += [(EvidenceItemType.NOTE, entry.note.pk,
               _("Note %(number)s of %(date)s") % {"number": number, "date": _date(entry.note.created_at)},
               entry.standing) for number, entry in enumerate(notes, start=1)]
    return [EvidenceEntry(str(item_type), str(item_id), label, standing,
                          "" if standing.usable else withheld_reason(standing))
            for item_type, item_id, label, standing in items]


def _date(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _chronology(case: Case, agency: Agency, exhibits: list[ExhibitEntry],
                documents: list[DocumentEntry]) -> list[ChronologyEntry]:
    """The case's acts, oldest first, in one query."""
    owner_side = case.access in OWNER_SIDE
    describe = _Details(case, exhibits, documents)
    events = (case_events(case_id=case.pk).filter(operation__in=CHRONOLOGY_OPERATIONS).order_by("at", "id")
              .only("at", "actor_username", "actor_agency", "operation", "action", "object_type", "object_id",
                    "recipient", "justification", "changes"))
    entries = []
    for event in events:
        if agency.pk != case.owner_agency_id and not _shown_to_another_agency(event, case, agency):
            continue
        parts = [describe(event)]
        if owner_side and event.recipient:
            parts.append(_("to %(recipient)s") % {"recipient": event.recipient})
        if owner_side and event.justification:
            parts.append(_("reason: “%(reason)s”") % {"reason": event.justification})
        entries.append(ChronologyEntry(at=event.at, actor=event.actor_username, actor_agency=event.actor_agency,
                                       act=str(event_label(event.action)), detail="; ".join(p for p in parts if p)))
    return entries


def _shown_to_another_agency(event: AuditEvent, case: Case, agency: Agency) -> bool:
    """What a reader outside the owning agency is told of: not the matching with other agencies'
    cases, not a third agency's evidence-use requests, nor what was disclosed to a third agency at
    its own request (its case file): the reader would learn of that agency's interest."""
    if event.action in MATCHING_ACTS:
        return False
    if event.action in EVIDENCE_ACTS:
        return event.recipient == agency.code
    if event.operation == Operation.DISCLOSURE:
        return event.actor_agency in {case.owner_agency.code, agency.code}
    return True


class _Details:
    """The detail line of an act, from what the dossier already shows: exhibit numbers and custody
    positions, document titles, field names and codes; never a stored value of case content."""

    def __init__(self, case: Case, exhibits: list[ExhibitEntry], documents: list[DocumentEntry]):
        self.exhibits = {str(entry.exhibit.pk): entry.exhibit for entry in exhibits}
        self.custody = {str(line.event.pk): line for entry in exhibits for line in entry.custody}
        self.documents = {str(entry.document.pk): entry.document for entry in documents}

    def __call__(self, event: AuditEvent) -> str:
        changes = event.changes if isinstance(event.changes, dict) else {}
        if event.action == "case_update":
            return self._case_update(changes)
        if event.action == "case_transition":
            return _before_after(changes.get("status"), lambda value: str(STATUS_LABELS.get(value, value)))
        if event.action == "exhibit_add" and event.object_id in self.exhibits:
            return self.exhibits[event.object_id].number
        if event.action == "custody_record":
            return self._custody(event.object_id, changes)
        if event.action in EVIDENCE_ACTS:
            return self._evidence_items(changes.get("items"))
        if event.object_type == "document" and event.object_id in self.documents:
            document = self.documents[event.object_id]
            return f"{document.title} (sha256 {short_hash(document.sha256)})"
        return ""

    @staticmethod
    def _case_update(changes: dict) -> str:
        names = []
        for name in changes:
            try:
                names.append(str(Case._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a field since removed: its stored name is all there is
                names.append(name)
        detail = _("changed: %(fields)s") % {"fields": ", ".join(names)}
        if "handling_code" in changes:
            detail += "; " + _("handling code %(change)s") % {"change": _before_after(changes["handling_code"], str)}
        return detail

    def _evidence_items(self, items) -> str:
        """The items a request names, as the dossier labels them: "case", exhibit numbers, document
        titles, and "note" (a note's text is not a label)."""
        named = []
        for item in items if isinstance(items, list) else []:
            item_type, _sep, item_id = str(item).partition(":")
            if item_type == EvidenceItemType.EXHIBIT and item_id in self.exhibits:
                named.append((item_type, self.exhibits[item_id].number))
            elif item_type == EvidenceItemType.DOCUMENT and item_id in self.documents:
                named.append((item_type, self.documents[item_id].title))
            elif item_type in EvidenceItemType.values:
                named.append((item_type, str(EvidenceItemType(item_type).label)))
        # In the evidence section's order: the case, exhibits, documents, notes.
        return ", ".join(name for _type, name in sorted(named, key=lambda pair: (EVIDENCE_ORDER[pair[0]], pair[1])))

    def _custody(self, exhibit_id: str, changes: dict) -> str:
        exhibit, line = self.exhibits.get(exhibit_id), self.custody.get(str(changes.get("event")))
        if exhibit is None or line is None:
            return ""
        parts = [_("%(exhibit)s, custody event %(position)s: %(purpose)s")
                 % {"exhibit": exhibit.number, "position": line.position,
                    "purpose": line.event.get_purpose_display()}]
        if not line.event.seal_intact:
            parts.append(_("seal not intact"))
        if line.corrected_number:
            parts.append(_("corrects event %(position)s") % {"position": line.corrected_number})
        return "; ".join(str(part) for part in parts)


def _before_after(change, show) -> str:
    if not isinstance(change, dict):
        return ""
    before, after = change.get("before"), change.get("after")
    return f"{show(before) if before else '–'} → {show(after) if after else '–'}"
