"""Writes case plans straight into PostgreSQL with COPY: the rows the services would write.

Per case, as the services do: the case (reference from the per-port, per-year counter,
version = 1 + workflow steps, search vector over reference, title, summary and party names),
its parts, each agency share as a CaseShare plus the cumulative guardian group permissions
(view, then contribute, then manage) on the agency's group, a referral as a contribute share
to the prosecution agency, a restricted case's creator as named manager, and each named grant
as a CaseGrant plus cumulative guardian user permissions. Audit records are written for case
creation and for every disclosure (share, named grant, the restricted case's creator included),
each filed under the case's owning agency (`case_agency`, in the content hash as
audit.hashing counts it); the per-part and per-transition records the services also write are
left out to keep generation in minutes (they touch no measured path). Each identifier and party
gets the match keys cases.services.matching.index_case_part writes (the keys themselves from
cases.matching, under the same MATCHING_KEY); the hits are left to the matcher
(bench.matching runs the nightly re-match), as are the matching tasks' notifications.
"""
import datetime
import itertools
import json
import random
import types
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from audit.hashing import content_hash
from cases.access import LEVEL_CODENAME
from cases.matching import identifier_keys, party_keys
from cases.models import CaseReferenceCounter
from cases.services.case import DEFAULT_RETENTION_REVIEW
from cases.services.sharing import SHARE_LEVEL

from .copy import NULL, CopyBuffer, nullable
from .plan import CasePlan
from .population import Population

CASE_COLUMNS = ("id, reference, owner_agency_id, owner_code, status, title, summary, port, seized_at, "
                "handling_code, h3_conditions, source_reliability, information_assessment, legal_basis, review_due, "
                "restricted, referred_to_id, version, created_by_id, created_at, updated_at")
# The expression cases.search.refresh_search_document has PostgreSQL compute.
SEARCH_VECTOR = ("setweight(to_tsvector('simple'::regconfig, "
                 "coalesce(reference, '') || ' ' || coalesce(title, '')), 'A')"
                 " || setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'B')"
                 " || setweight(to_tsvector('simple'::regconfig, coalesce(party_names, '')), 'A')")
LEGAL_BASIS = "Art. 46 UCC"
REFERRAL_REASON = "Referred for prosecution"
AUDIT_COLUMNS = ("at, actor_id, actor_username, actor_agency, actor_role, operation, action, object_type, "
                 "object_id, case_id, case_agency, handling_code, justification, recipient, changes, request_id, "
                 "ip_address, user_agent, session_ref, content_hash")
PART_COLUMNS = {
    "seizures": ("cases_seizureitem", "id, case_id, created_by_id, created_at, drug, form, quantity, unit, packages, "
                 "brick_marking, purity, concealment, detection, transport_mode"),
    "identifiers": ("cases_identifier", "id, case_id, created_by_id, created_at, kind, raw_value, value, "
                    "override_reason, matching_excluded"),
    "parties": ("cases_party", "id, case_id, created_by_id, created_at, kind, role, name, date_of_birth, country, "
                "registration"),
    "route": ("cases_routeleg", "id, case_id, created_by_id, created_at, sequence, locode, role, date"),
    "notes": ("cases_note", "id, case_id, created_by_id, created_at, text, source_reliability, "
              "information_assessment"),
    # After identifiers and parties: each key names its source.
    "match_keys": ("cases_matchkey", "case_id, owner_agency_id, identifier_id, party_id, kind, key"),
}


def cumulative(level: str) -> list[str]:
    """The guardian codenames a grant at `level` holds: every level up to it."""
    return [codename for each, codename in LEVEL_CODENAME.items() if each <= SHARE_LEVEL[level]]


def random_uuid4(rng: random.Random) -> str:
    """A version-4 UUID from the generator's own random source: quick, and the same ids for
    the same run (uuid.uuid4 reads the OS entropy pool for each of ten ids per case)."""
    bits = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48)
    return f"{bits:032x}"


class BulkWriter:
    def __init__(self, population: Population, *, seed: int = 4):
        self.population = population
        self.rng = random.Random(seed)
        self.permission_ids = dict(Permission.objects.filter(content_type__app_label="cases",
                                                             codename__in=LEVEL_CODENAME.values())
                                   .values_list("codename", "id"))
        self.members = {user_id: (agency.code, role) for agency in population.agencies.values()
                        for role, users in agency.members.items() for user_id in users}
        self.counters = {(port, year): last for port, year, last in
                         CaseReferenceCounter.objects.values_list("port", "year", "last")}

    def write(self, plans, *, batch_size: int = 10_000) -> int:
        """Write all plans; while PostgreSQL loads one batch, a thread formats the next."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS bench_case_stage AS SELECT {CASE_COLUMNS} "
                           "FROM cases_case WITH NO DATA")
            cursor.execute("ALTER TABLE bench_case_stage ADD COLUMN IF NOT EXISTS party_names text")
        plans = iter(plans)
        written = 0
        with ThreadPoolExecutor(max_workers=1) as formatter:
            upcoming = formatter.submit(self._format_batch, plans, batch_size)
            while (batch := upcoming.result()) is not None:
                upcoming = formatter.submit(self._format_batch, plans, batch_size)
                with transaction.atomic():
                    self._load(batch)
                written += batch.cases
        self._save_counters()
        return written

    def _reference(self, plan: CasePlan) -> str:
        key = (plan.port, timezone.localtime(plan.created_at).year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{key[0]}-{key[1]}-{self.counters[key]:06d}"

    def _format_batch(self, plans, batch_size: int) -> "Batch | None":
        batch = Batch()
        for plan in itertools.islice(plans, batch_size):
            case_id = str(uuid.UUID(random_uuid4(self.rng)))
            self._case(batch.stage, plan, case_id)
            self._parts(batch.parts, plan, case_id)
            self._audit(batch.audit, plan, "collection", "case_create", "case", case_id, case_id, at=plan.created_at)
            self._grants(plan, case_id, batch)
            batch.cases += 1
        return batch if batch.cases else None

    @staticmethod
    def _load(batch: "Batch") -> None:
        with connection.cursor() as cursor:
            batch.stage.flush(cursor)
            cursor.execute(f"INSERT INTO cases_case ({CASE_COLUMNS}, search_vector) "
                           f"SELECT {CASE_COLUMNS}, {SEARCH_VECTOR} FROM bench_case_stage")
            cursor.execute("TRUNCATE bench_case_stage")
            for buffer in (*batch.parts.values(), batch.shares, batch.grants, batch.group_grants, batch.user_grants,
                           batch.audit):
                buffer.flush(cursor)

    def _case(self, stage: CopyBuffer, plan: CasePlan, case_id) -> None:
        agencies = self.population.agencies
        referred_to = agencies[plan.referred_to].id if plan.referred_to else None
        review_due = timezone.localtime(plan.created_at).date() + DEFAULT_RETENTION_REVIEW
        stage.add(case_id, self._reference(plan), agencies[plan.owner].id, plan.owner, plan.status, plan.title,
                  plan.summary, plan.port, plan.seized_at, plan.handling_code, plan.h3_conditions,
                  plan.source_reliability, plan.information_assessment, LEGAL_BASIS, review_due, plan.restricted,
                  referred_to, 1 + len(plan.statuses), plan.creator, plan.created_at, plan.created_at,
                  " ".join(party["name"] for party in plan.parties))

    def _parts(self, parts: dict, plan: CasePlan, case_id: str) -> None:
        # The hot loop of the generator (about ten rows per case): plain strings only.
        creator, at = str(plan.creator), plan.created_at.isoformat()
        for item in plan.seizures:
            parts["seizures"].add_plain(
                random_uuid4(self.rng), case_id, creator, at, item["drug"], item["form"], str(item["quantity"]),
                item["unit"], nullable(item["packages"]), item["brick_marking"], nullable(item["purity"]),
                item["concealment"], item["detection"], item["transport_mode"])
        agency = str(self.population.agencies[plan.owner].id)
        keys = parts["match_keys"]
        for kind, raw, value in plan.identifiers:
            identifier_id = random_uuid4(self.rng)
            parts["identifiers"].add_plain(identifier_id, case_id, creator, at, kind, raw, value, "", "f")
            # As index_case_part: the keys cases.matching gives the identifier (one at most).
            for key in dict.fromkeys(identifier_keys(types.SimpleNamespace(kind=kind, value=value,
                                                                            matching_excluded=False))):
                keys.add_plain(case_id, agency, identifier_id, NULL, key.kind, key.key)
        for number, party in enumerate(plan.parties):
            # One microsecond apart: the search document lists party names in creation order.
            party_at = (plan.created_at + datetime.timedelta(microseconds=number)).isoformat()
            party_id = random_uuid4(self.rng)
            parts["parties"].add_plain(party_id, case_id, creator, party_at, party["kind"], party["role"],
                                       party["name"], nullable(party["date_of_birth"]), party["country"],
                                       party["registration"])
            for key in dict.fromkeys(party_keys(types.SimpleNamespace(**party))):
                keys.add_plain(case_id, agency, NULL, party_id, key.kind, key.key)
        for sequence, (locode, role) in enumerate(plan.route, start=1):
            parts["route"].add_plain(random_uuid4(self.rng), case_id, creator, at, str(sequence), locode, role, NULL)
        for text in plan.notes:
            parts["notes"].add_plain(random_uuid4(self.rng), case_id, creator, at, text, "", NULL)

    def _grants(self, plan, case_id: str, batch: "Batch") -> None:
        shares, group_grants, audit = batch.shares, batch.group_grants, batch.audit
        agencies = self.population.agencies
        at = plan.created_at
        named = list(plan.named)
        if plan.restricted:  # case_create makes the creator a named manager, through the grant service
            named.insert(0, (plan.creator, "manage"))
        given = [(code, level, "") for code, level in plan.shares]
        if plan.referred_to:
            given.append((plan.referred_to, "contribute", REFERRAL_REASON))
        for code, level, justification in given:
            share_id = str(uuid.UUID(random_uuid4(self.rng)))
            shares.add(share_id, case_id, agencies[code].id, level, plan.creator, at, at)
            for codename in cumulative(level):
                group_grants.add(case_id, agencies[code].group_id, self.permission_ids[codename])
            self._audit(audit, plan, "disclosure", "case_share", "case_share", share_id, case_id, at=at,
                        justification=justification, recipient=code,
                        changes={"level": {"before": None, "after": level}})
        for user_id, level in named:
            grant_id = str(uuid.UUID(random_uuid4(self.rng)))
            batch.grants.add(grant_id, case_id, user_id, level, plan.creator, at, at)
            for codename in cumulative(level):
                batch.user_grants.add(case_id, user_id, self.permission_ids[codename])
            self._audit(audit, plan, "disclosure", "case_grant_user", "case_grant", grant_id, case_id, at=at,
                        recipient=self.population.usernames[user_id],
                        changes={"level": {"before": None, "after": level}})

    def _audit(self, audit: CopyBuffer, plan, operation, action, object_type, object_id, case_id: str, *, at,
               justification="", recipient="", changes=None) -> None:
        agency, role = self.members[plan.creator]
        # Filed under the owning agency (cases.services.guard.audited_case); audit.hashing counts
        # case_agency only when it is set, as it always is here.
        event = types.SimpleNamespace(
            at=at, actor_id=plan.creator, actor_username=self.population.usernames[plan.creator],
            actor_agency=agency, actor_role=role, operation=operation, action=action, object_type=object_type,
            object_id=str(object_id), case_id=case_id, case_agency=plan.owner, handling_code=plan.handling_code,
            justification=justification, recipient=recipient, changes=changes or {}, request_id="",
            ip_address=None, user_agent="", session_ref="")
        audit.add_plain(at.isoformat(), str(plan.creator), event.actor_username, agency, role, operation, action,
                        object_type, event.object_id, case_id, plan.owner, plan.handling_code, justification,
                        recipient, json.dumps(event.changes), "", NULL, "", "", content_hash(event))

    def _save_counters(self) -> None:
        CaseReferenceCounter.objects.bulk_create(
            [CaseReferenceCounter(port=port, year=year, last=last) for (port, year), last in self.counters.items()],
            update_conflicts=True, unique_fields=["port", "year"], update_fields=["last"])


class Batch:
    """The rows of one batch of cases, per table, ready for COPY."""

    def __init__(self):
        self.cases = 0
        self.stage = CopyBuffer("bench_case_stage", CASE_COLUMNS + ", party_names")
        self.parts = {name: CopyBuffer(*spec) for name, spec in PART_COLUMNS.items()}
        self.shares = CopyBuffer("cases_caseshare", "id, case_id, agency_id, level, granted_by_id, created_at, "
                                                    "updated_at")
        self.grants = CopyBuffer("cases_casegrant", "id, case_id, user_id, level, granted_by_id, created_at, updated_at")
        self.group_grants = CopyBuffer("cases_casegroupobjectpermission", "content_object_id, group_id, permission_id")
        self.user_grants = CopyBuffer("cases_caseuserobjectpermission", "content_object_id, user_id, permission_id")
        self.audit = CopyBuffer("audit_auditevent", AUDIT_COLUMNS)
