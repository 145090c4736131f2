"""Proves the bulk generator writes what the services write.

The same few hundred case plans (every kind: plain, shared at each level, referred,
restricted, named grants, H2) are written twice into a fresh database: through the services,
then, after deleting them, with bench.bulk. For every user the visible cases, their access
level and what each action allows must be equal, and so must the guardian grant rows, the
shares, the named-grant records (CaseGrant), the parts (and the values of identifiers and
parties), the match keys (kind, key, owning agency and source: what
cases.services.matching.index_case_part writes when identifier_add and party_add run), and
the creation and disclosure audit records (with the owning agency they are filed under); the
bulk search vectors must equal what cases.search computes and the bulk audit hashes what
audit.hashing computes.

    python -m bench.verify        (BENCH_DATABASE_URL names the bench database; *_verify is used)
"""
import collections
import datetime
import sys

from .database import bench_database_url, migrate, recreate_database, setup_django

VERIFY_CASES = 300


# How many cases of each kind the check takes; the rest are plain.
KINDS = {"restricted": 25, "named": 25, "shared": 50, "referred": 40, "h1-h3": 30}


def _kind(plan) -> str:
    if plan.restricted:
        return "restricted"
    if plan.named:
        return "named"
    if plan.shares:
        return "shared"
    if plan.referred_to:
        return "referred"
    return "plain" if plan.handling_code == "H0" else "h1-h3"


def choose_plans(population, now):
    from .plan import case_plans

    wanted = {**KINDS, "plain": VERIFY_CASES - sum(KINDS.values())}
    chosen = []
    for plan in case_plans(population, start=0, count=100 * VERIFY_CASES, now=now, seed=44):
        kind = _kind(plan)
        if wanted[kind]:
            wanted[kind] -= 1
            chosen.append(plan)
    return chosen


def snapshot() -> dict:
    """Everything that must not differ between the two writers, keyed by case title."""
    from django.contrib.auth import get_user_model

    from audit.models import AuditEvent
    from cases.access import Action, visible_cases
    from cases.models import (
        Case,
        CaseGrant,
        CaseGroupObjectPermission,
        CaseShare,
        CaseUserObjectPermission,
        Identifier,
        MatchKey,
        Party,
    )
    from cases.selectors import case_list

    titles = dict(Case.objects.values_list("id", "title"))
    seen = {}
    for user in get_user_model().objects.filter(is_active=True):
        seen[user.username] = {
            "access": sorted((row.title, row.access) for row in case_list(user=user)),
            **{action.value: sorted(visible_cases(user, action).values_list("title", flat=True))
               for action in Action},
        }
    parts = {name: sorted(collections.Counter(titles[case_id] for case_id in
                                              getattr(Case, name).rel.related_model.objects
                                              .values_list("case_id", flat=True)).items())
             for name in ("seizures", "identifiers", "parties", "route", "notes")}
    disclosures = AuditEvent.objects.filter(action__in=["case_create", "case_share", "case_grant_user"],
                                            case_id__in=titles)
    return {
        "seen": seen,
        "parts": parts,
        "cases": sorted(Case.objects.values_list("title", "status", "version", "restricted", "handling_code",
                                                 "referred_to__code", "owner_agency__code", "created_by__username",
                                                 "port")),
        "shares": sorted(CaseShare.objects.values_list("case__title", "agency__code", "level",
                                                       "granted_by__username")),
        "group_grants": sorted(CaseGroupObjectPermission.objects.values_list(
            "content_object__title", "group__name", "permission__codename")),
        "grants": sorted(CaseGrant.objects.values_list("case__title", "user__username", "level",
                                                       "granted_by__username")),
        "user_grants": sorted(CaseUserObjectPermission.objects.values_list(
            "content_object__title", "user__username", "permission__codename")),
        "identifier_values": sorted(Identifier.objects.values_list(
            "case__title", "kind", "raw_value", "value", "override_reason", "matching_excluded")),
        "party_values": sorted(Party.objects.values_list(
            "case__title", "kind", "role", "name", "date_of_birth", "country", "registration")),
        # Each key with its source, named by what the source holds (the ids differ between writers).
        "match_keys": sorted(MatchKey.objects.values_list(
            "case__title", "owner_agency__code", "kind", "key", "identifier__kind", "identifier__value",
            "party__role", "party__name")),
        "audit": sorted((titles[event.case_id], event.case_agency, event.action, event.operation, event.object_type,
                         event.recipient, str(event.changes), event.justification, event.actor_username,
                         event.actor_agency, event.actor_role, event.handling_code) for event in disclosures),
    }


def check_bulk_only_fields() -> list[str]:
    """Search vectors and audit hashes of the bulk rows, recomputed the application's way."""
    from audit.hashing import content_hash
    from audit.models import AuditEvent
    from cases.models import Case
    from cases.search import refresh_search_document

    problems = []
    stored = dict(Case.objects.values_list("id", "search_vector"))
    for case_id, vector in stored.items():
        refresh_search_document(case_id)
        if Case.objects.values_list("search_vector", flat=True).get(pk=case_id) != vector:
            problems.append(f"search vector differs for case {case_id}")
    for event in AuditEvent.objects.filter(case_id__in=stored):
        if content_hash(event) != event.content_hash:
            problems.append(f"audit hash differs for event {event.pk}")
    return problems


def compare(services: dict, bulk: dict) -> list[str]:
    problems = []
    for key in services:
        if key == "seen":
            for username, views in services["seen"].items():
                for what, expected in views.items():
                    if bulk["seen"][username][what] != expected:
                        problems.append(f"{username}: {what} differs")
        elif services[key] != bulk[key]:
            only = [row for row in services[key] if row not in bulk[key]][:1]
            problems.append(f"{key} differs, e.g. services wrote {only} which bulk did not")
    return problems


def main() -> int:
    url = bench_database_url().rstrip("/") + "_verify"
    recreate_database(url)
    setup_django(url)
    migrate()
    from django.utils import timezone

    from cases.models import Case, CaseReferenceCounter

    from .bulk import BulkWriter
    from .population import build_population
    from .via_services import write_with_services

    population = build_population(scale=0.02)
    plans = choose_plans(population, timezone.now() - datetime.timedelta(minutes=10))
    write_with_services(population, plans)
    by_services = snapshot()
    Case.objects.all().delete()
    CaseReferenceCounter.objects.all().delete()
    BulkWriter(population).write(plans)
    by_bulk = snapshot()
    problems = compare(by_services, by_bulk) + check_bulk_only_fields()
    kinds = collections.Counter(_kind(plan) for plan in plans)
    print(f"bench.verify: {len(plans)} cases ({dict(kinds)}), {len(by_services['seen'])} users, "
          f"{len(by_services['group_grants'])} group and {len(by_services['user_grants'])} user grant rows, "
          f"{len(by_services['match_keys'])} match keys: "
          + ("bulk rows equal service rows" if not problems else "DIFFERENCES"))
    for problem in problems[:40]:
        print("  ", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
