"""Hit/no-hit matching: writing the match keys and the hits (cases.matching makes the keys).

- index_case_part: the keys of a new identifier or party, in its service's transaction, and
  the matching task enqueued on commit.
- hits_match_case: the task's work; hits_rematch_all: the nightly pass over every key.
  Both are one INSERT ... SELECT over a self-join of the index (never a query per
  identifier), idempotent through the unique (case, other case, key) and ON CONFLICT DO
  NOTHING, and each new hit is audited as a combination under its own case's agency.
- identifier_exclude_from_matching: the owner's audited "do not match this".

A hit is written as `new` for each side. Whether the caller may see the other case (a
`linked` hit) is a question for cases.access at read time, per user, not for this writer.
"""
import functools
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audit.models import Operation
from audit.services import audit_record
from coordination.errors import NotVisible

from ..access import Action
from ..matching import identifier_keys, party_keys
from ..signals import hit_created
from ..models import Case, Hit, HitStatus, Identifier, MatchKey, Party
from .guard import audited_case, case_for_write


def index_case_part(*, case: Case, part: Identifier | Party) -> list[MatchKey]:
    """Write the match keys of a just saved identifier or party of `case` (the caller's
    transaction), and enqueue the matching of the case after commit. No keys, no task."""
    if isinstance(part, Identifier):
        keys, source = identifier_keys(part), {"identifier": part}
    else:
        keys, source = party_keys(part), {"party": part}
    rows = [MatchKey(case=case, owner_agency_id=case.owner_agency_id, kind=key.kind, key=key.key, **source)
            for key in dict.fromkeys(keys)]
    if rows:
        MatchKey.objects.bulk_create(rows)
        transaction.on_commit(partial(_enqueue_match, case.pk), robust=True)
    return rows


def _enqueue_match(case_id) -> None:
    from ..tasks import match_case_keys  # tasks import the services

    match_case_keys.apply_async(args=[str(case_id)], queue=settings.MATCHING_QUEUE or None)


@transaction.atomic
def hits_match_case(*, case_id) -> list[Hit]:
    """The hits of every key `case_id` holds, against other agencies' cases: both sides. Open
    hits of its keys that became frequent are withdrawn."""
    withdraw_frequent_hits(case_id=case_id)
    return _insert_hits(case_id=case_id)


@transaction.atomic
def hits_rematch_all() -> list[Hit]:
    """Every hit the index implies and the hits table lacks (a task lost while a worker was
    down); open hits of values that became frequent are withdrawn."""
    withdraw_frequent_hits(case_id=None)
    return _insert_hits(case_id=None)


def frequent_keys(case_id=None) -> QuerySet:
    """The keys held by more than MATCHING_MAX_CASES cases (of `case_id`'s keys, if given)."""
    keys = MatchKey.objects.all()
    if case_id is not None:
        keys = keys.filter(key__in=MatchKey.objects.filter(case_id=case_id).values("key"))
    return (keys.values("key").annotate(cases=Count("case_id", distinct=True))
            .filter(cases__gt=settings.MATCHING_MAX_CASES))


def withdraw_frequent_hits(*, case_id=None) -> int:
    """A value that turned frequent stops producing hits: its open (new) hits go. Hits with a
    request behind them stay, as the request does."""
    deleted, _ = Hit.objects.filter(status=HitStatus.NEW, key__in=frequent_keys(case_id).values("key")).delete()
    return deleted


def frequent_values() -> QuerySet:
    """For platform admins: the frequent keys with their kind, how many cases and agencies hold
    them. Keys only: the index holds no readable value."""
    return (MatchKey.objects.values("key", "kind")
            .annotate(cases=Count("case_id", distinct=True), agencies=Count("owner_agency_id", distinct=True))
            .filter(cases__gt=settings.MATCHING_MAX_CASES).order_by("-cases", "key"))


def _insert_hits(*, case_id) -> list[Hit]:
    now_field = Hit._meta.get_field("created_at")
    params = [now_field.get_db_prep_save(timezone.now(), connection)]
    if case_id is not None:
        params.append(MatchKey._meta.get_field("case").target_field.get_db_prep_save(case_id, connection))
    params.append(settings.MATCHING_MAX_CASES)
    with connection.cursor() as cursor:
        cursor.execute(_insert_hits_sql(connection.vendor, for_one_case=case_id is not None), params)
        created_ids = [row[0] for row in cursor.fetchall()]
    if not created_ids:
        return []
    hits = list(Hit.objects.filter(pk__in=created_ids).select_related("case__owner_agency",
                                                                      "other_case__owner_agency")
                .order_by("created_at", "id"))
    for hit in hits:
        _audit_hit(hit)
        hit_created.send(sender=Hit, hit=hit)
    return hits


def _audit_hit(hit: Hit) -> None:
    """One record per side, in that side's agency's trail, naming both cases."""
    audit_record(
        actor=None,
        operation=Operation.COMBINATION,
        action="hit_create",
        object_type="hit",
        object_id=hit.pk,
        changes={"other_case": str(hit.other_case_id), "kind": hit.kind},
        **audited_case(hit.case),
    )


_NEW_ID = {
    "postgresql": "gen_random_uuid()",
    # Django keeps UUIDs on SQLite as 32 hex characters.
    "sqlite": "lower(hex(randomblob(16)))",
}


@functools.cache
def _insert_hits_sql(vendor: str, *, for_one_case: bool) -> str:
    """Pairs of keys held by cases of two agencies, for keys held by at most MATCHING_MAX_CASES
    cases; one hit row per side, as each side holds it, but none pointing at a restricted case. With `for_one_case`, only the keys that
    case holds (through the index on key); otherwise every key, grouped once."""
    quote = connection.ops.quote_name
    hit, keys, cases = quote(Hit._meta.db_table), quote(MatchKey._meta.db_table), quote(Case._meta.db_table)
    columns = ["id", "case_id", "other_case_id", "kind", "key", "identifier_id", "party_id", "status", "created_at"]
    key = quote("key")
    held_by_case = f"c.{key} IN (SELECT d.{key} FROM {keys} d WHERE d.case_id = %s) " if for_one_case else ""
    frequent = (
        f"SELECT c.{key} FROM {keys} c "
        f"{'WHERE ' + held_by_case if held_by_case else ''}"
        f"GROUP BY c.{key} HAVING COUNT(DISTINCT c.case_id) BETWEEN 2 AND %s"
    )
    return (
        f"INSERT INTO {hit} ({', '.join(quote(column) for column in columns)}) "
        f"SELECT {_NEW_ID[vendor]}, a.case_id, b.case_id, a.kind, a.{key}, a.identifier_id, a.party_id, "
        f"'{HitStatus.NEW.value}', %s "
        f"FROM {keys} a JOIN {keys} b ON b.{key} = a.{key} AND b.owner_agency_id <> a.owner_agency_id "
        # A restricted case is matched one way: its side learns that others hold the value; no
        # other agency learns of it (it opens to named users only).
        f"JOIN {cases} bc ON bc.id = b.case_id AND NOT bc.restricted "
        f"WHERE a.{key} IN ({frequent}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote('id')}"
    )


@transaction.atomic
def identifier_exclude_from_matching(*, actor, case_id, identifier_id, excluded: bool = True,
                                     justification: str = "") -> Identifier:
    """The owner marks an identifier as not to be matched (a shipping line's own phone number):
    its keys go, and the open hits that rested only on it are withdrawn on both sides. Marking
    it again as matchable writes its keys back and enqueues the matching."""
    case = case_for_write(actor=actor, case_id=case_id, action=Action.GOVERN)
    try:
        identifier = Identifier.objects.select_for_update().get(pk=identifier_id, case=case)
    except (Identifier.DoesNotExist, ValueError, TypeError):
        raise NotVisible() from None
    if identifier.matching_excluded != excluded:
        identifier.matching_excluded = excluded
        identifier.save(update_fields=["matching_excluded"])
        if excluded:
            keys = set(MatchKey.objects.filter(identifier=identifier).values_list("key", flat=True))
            MatchKey.objects.filter(identifier=identifier).delete()
            withdraw_open_hits(case_id=case.pk, keys=keys)
        else:
            index_case_part(case=case, part=identifier)
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="identifier_exclude_from_matching",
            object_type="identifier",
            object_id=identifier.pk,
            changes={"matching_excluded": [not excluded, excluded]},
            justification=justification.strip(),
            **audited_case(case),
        )
    return identifier


def withdraw_open_hits(*, case_id, keys: set[str]) -> int:
    """Delete the open (new) hits, on both sides, of the keys the case no longer holds: a hit
    rested on them only. Hits with a request behind them stay, as the request does."""
    still_held = set(MatchKey.objects.filter(case_id=case_id, key__in=keys).values_list("key", flat=True))
    gone = keys - still_held
    if not gone:
        return 0
    deleted, _ = Hit.objects.filter(Q(case_id=case_id) | Q(other_case_id=case_id), key__in=gone,
                                    status=HitStatus.NEW).delete()
    return deleted


def keys_before_delete(sender, instance, **kwargs) -> None:
    """pre_delete of an identifier or party: note its keys while they still exist."""
    field = "identifier" if isinstance(instance, Identifier) else "party"
    instance._match_keys = set(MatchKey.objects.filter(**{field: instance}).values_list("key", flat=True))


def withdraw_after_delete(sender, instance, **kwargs) -> None:
    """post_delete of an identifier or party (or of its case): its keys went with it (CASCADE),
    and the other side's open hits that rested only on them are withdrawn."""
    keys = getattr(instance, "_match_keys", set())
    if keys:
        withdraw_open_hits(case_id=instance.case_id, keys=keys)
