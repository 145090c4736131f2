"""Hit/no-hit matching (issue 14, "Matching"): the keyed index, the hits on both sides, their
combination audit records, the frequency threshold, exclusion and the nightly re-match."""
import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from audit.models import AuditEvent, Operation
from cases.demo import SHARED_CONTAINER
from cases.matching import match_key
from cases.models import Case, Hit, HitStatus, Identifier, MatchKey
from cases.services import case_create, identifier_add, party_add
from cases.services.matching import _enqueue_match, hits_match_case, hits_rematch_all, identifier_exclude_from_matching
from cases.validators import normalise_identifier

ROOT = Path(__file__).resolve().parent.parent
PORT = {"rtm.officer": "NLRTM", "anr.officer": "BEANR", "ham.officer": "DEHAM"}
CONTAINER = "MSCU1234566"


def new_case(actor, title="Matching story") -> Case:
    return case_create(actor=actor, title=title, port=PORT[actor.username],
                       seized_at=timezone.now() - datetime.timedelta(days=1), handling_code="H0",
                       legal_basis="Art. 46 UCC")


def hits_between(*cases) -> list[Hit]:
    ids = [case.pk for case in cases]
    return list(Hit.objects.filter(case__in=ids, other_case__in=ids).order_by("case__owner_agency__code"))


def matching_enqueued(callbacks) -> list:
    return [callback for callback in callbacks if getattr(callback, "func", None) is _enqueue_match]


def sides(hits) -> set[tuple[str, str]]:
    return {(hit.case.reference, hit.other_case.reference) for hit in hits}


@pytest.fixture
def rtm_anr(cast):
    return new_case(cast["rtm.officer"]), new_case(cast["anr.officer"])


def test_container_spellings_give_one_key_and_a_hit_on_each_side(cast, rtm_anr, django_capture_on_commit_callbacks,
                                                                  run_tasks_here):
    rtm, anr = rtm_anr
    other = new_case(cast["anr.officer"], title="Second Antwerp case")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value="mscu 123456-6")
        identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value="MSCU-123456-6")
        identifier_add(actor=cast["anr.officer"], case_id=other.pk, kind="container", value="MSCU1234566")
    assert len(matching_enqueued(callbacks)) == 3  # the matching task, enqueued on each commit (and run here)
    keys = MatchKey.objects.filter(case__in=[rtm, anr, other])
    assert {key.key for key in keys} == {match_key("container", CONTAINER)}
    hits = hits_between(rtm, anr, other)
    # Rotterdam's case against each Antwerp case, both sides; the two Antwerp cases do not hit.
    assert sides(hits) == {(rtm.reference, anr.reference), (anr.reference, rtm.reference),
                           (rtm.reference, other.reference), (other.reference, rtm.reference)}
    for hit in hits:
        assert hit.kind == "container"
        assert hit.status == HitStatus.NEW
        assert hit.identifier.case_id == hit.case_id  # each side's own identifier
        assert hit.identifier.value == CONTAINER


def test_hits_are_audited_as_combination_on_both_sides(cast, rtm_anr):
    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value=CONTAINER)
    created = hits_match_case(case_id=anr.pk)
    assert len(created) == 2
    records = AuditEvent.objects.filter(operation=Operation.COMBINATION, case_id__in=[rtm.pk, anr.pk])
    assert sorted((record.case_agency, str(record.case_id), record.changes["other_case"]) for record in records) == \
        sorted([("NL-CUS-RTM", str(rtm.pk), str(anr.pk)), ("BE-CUS-ANR", str(anr.pk), str(rtm.pk))])
    assert {record.object_id for record in records} == {str(hit.pk) for hit in created}
    # Running again finds nothing new and records nothing more.
    assert hits_match_case(case_id=rtm.pk) == []
    assert AuditEvent.objects.filter(operation=Operation.COMBINATION, case_id__in=[rtm.pk, anr.pk]).count() == 2


def test_a_belgian_officers_0031_number_matches_the_dutch_international_one(cast, rtm_anr):
    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="phone", value="+31 10 123 4567")
    phone = identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="phone", value="0031101234567")
    assert phone.value == "+31101234567"
    hits_match_case(case_id=anr.pk)
    assert sides(hits_between(rtm, anr)) == {(rtm.reference, anr.reference), (anr.reference, rtm.reference)}


def test_phone_numbers_read_with_the_agency_country():
    assert normalise_identifier("phone", "0031101234567", region="BE").value == "+31101234567"
    assert normalise_identifier("phone", "0031 10 123 4567").value == "+31101234567"
    assert normalise_identifier("phone", "010 123 4567", region="NL").value == "+31101234567"


def test_company_names_match_without_case_punctuation_or_legal_form(cast, rtm_anr):
    rtm, anr = rtm_anr
    party_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="company", role="consignee",
              name="Rotterdam Fruit Traders B.V.")
    party_add(actor=cast["anr.officer"], case_id=anr.pk, kind="company", role="shipper",
              name="ROTTERDAM FRUIT TRADERS BV")
    hits_match_case(case_id=anr.pk)
    hits = hits_between(rtm, anr)
    assert sides(hits) == {(rtm.reference, anr.reference), (anr.reference, rtm.reference)}
    assert {hit.kind for hit in hits} == {"company"}
    assert {hit.party.name for hit in hits} == {"Rotterdam Fruit Traders B.V.", "ROTTERDAM FRUIT TRADERS BV"}


def test_a_company_registration_matches_the_identifier_of_that_kind(cast, rtm_anr):
    rtm, anr = rtm_anr
    party_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="company", role="consignee", name="Alpha Holding",
              registration="KVK 12345678")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="company_registration", value="kvk-12345678")
    hits_match_case(case_id=anr.pk)
    assert {hit.kind for hit in hits_between(rtm, anr)} == {"company_registration"}


def test_persons_match_on_name_in_any_order_and_date_of_birth_only(cast, rtm_anr):
    rtm, anr = rtm_anr
    ham = new_case(cast["ham.officer"])
    born = datetime.date(1980, 4, 12)
    party_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="person", role="suspect", name="Jan de Vries",
              date_of_birth=born)
    party_add(actor=cast["anr.officer"], case_id=anr.pk, kind="person", role="suspect", name="VRIES, Jan de",
              date_of_birth=born)
    party_add(actor=cast["ham.officer"], case_id=ham.pk, kind="person", role="suspect", name="Jan de Vries",
              date_of_birth=datetime.date(1981, 4, 12))
    hits_rematch_all()
    assert sides(hits_between(rtm, anr, ham)) == {(rtm.reference, anr.reference), (anr.reference, rtm.reference)}


def test_a_name_without_date_of_birth_has_no_key(cast, rtm_anr):
    rtm, anr = rtm_anr
    for actor, case in ((cast["rtm.officer"], rtm), (cast["anr.officer"], anr)):
        party_add(actor=actor, case_id=case.pk, kind="person", role="suspect", name="Lars Brandt")
    assert not MatchKey.objects.filter(case__in=[rtm, anr]).exists()
    hits_rematch_all()
    assert hits_between(rtm, anr) == []


def test_a_value_held_by_more_than_twenty_cases_makes_no_hits(cast, settings):
    assert settings.MATCHING_MAX_CASES == 20
    officers = ["rtm.officer", "anr.officer", "ham.officer"]
    cases = [new_case(cast[officers[number % 3]], title=f"Frequent {number}") for number in range(21)]
    for case in cases:
        identifier_add(actor=cast[PORT_OWNER[case.port]], case_id=case.pk, kind="phone", value="+31 10 244 4444")
    assert hits_match_case(case_id=cases[0].pk) == []
    hits_rematch_all()
    assert hits_between(*cases) == []
    # At the threshold itself (20 cases) it still matches: each case against the 13 or 14 of other agencies.
    Case.objects.filter(pk=cases[-1].pk).delete()
    cases = cases[:-1]
    assert MatchKey.objects.filter(case__in=cases).count() == 20
    hits_rematch_all()
    assert len(hits_between(*cases)) == 20 * 20 - (7 * 7 + 7 * 7 + 6 * 6)


PORT_OWNER = {port: officer for officer, port in PORT.items()}


def test_an_identifier_excluded_from_matching_makes_no_keys_and_no_hits(cast, rtm_anr):
    rtm, anr = rtm_anr
    ham = new_case(cast["ham.officer"])
    line = identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="phone", value="+31 10 400 6000")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="phone", value="+31 10 400 6000")
    hits_match_case(case_id=anr.pk)
    assert len(hits_between(rtm, anr)) == 2
    identifier_exclude_from_matching(actor=cast["rtm.officer"], case_id=rtm.pk, identifier_id=line.pk,
                                     justification="The shipping line's own switchboard")
    assert Identifier.objects.get(pk=line.pk).matching_excluded
    assert not MatchKey.objects.filter(identifier=line).exists()
    assert hits_between(rtm, anr) == []  # the open hits that rested on it are withdrawn, both sides
    identifier_add(actor=cast["ham.officer"], case_id=ham.pk, kind="phone", value="+31 10 400 6000")
    hits_rematch_all()
    # Antwerp and Hamburg still match each other; Rotterdam's excluded number matches nothing.
    assert sides(hits_between(rtm, anr, ham)) == {(anr.reference, ham.reference), (ham.reference, anr.reference)}
    assert not Hit.objects.filter(case=rtm).exists() and not Hit.objects.filter(other_case=rtm).exists()
    record = AuditEvent.objects.filter(action="identifier_exclude_from_matching", case_id=rtm.pk).get()
    assert record.operation == Operation.ALTERATION
    assert record.changes == {"matching_excluded": [False, True]}
    assert record.justification == "The shipping line's own switchboard"


def test_only_the_owner_excludes_and_others_get_404(cast, rtm_anr):
    from coordination.errors import ActionForbidden, NotVisible

    rtm, _anr = rtm_anr
    line = identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="phone", value="+31 10 400 6000")
    with pytest.raises(NotVisible):
        identifier_exclude_from_matching(actor=cast["anr.officer"], case_id=rtm.pk, identifier_id=line.pk)
    with pytest.raises(ActionForbidden):
        identifier_exclude_from_matching(actor=cast["rtm.analyst"], case_id=rtm.pk, identifier_id=line.pk)
    assert not Identifier.objects.get(pk=line.pk).matching_excluded


def test_the_index_holds_no_readable_value(cast, rtm_anr):
    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="phone", value="+31 10 123 4567")
    party_add(actor=cast["anr.officer"], case_id=anr.pk, kind="company", role="shipper",
              name="Rotterdam Fruit Traders B.V.", registration="KVK 12345678")
    party_add(actor=cast["anr.officer"], case_id=anr.pk, kind="person", role="suspect", name="Jan de Vries",
              date_of_birth=datetime.date(1980, 4, 12))
    rows = list(MatchKey.objects.filter(case__in=[rtm, anr]).values())
    assert len(rows) == 5
    dump = repr(rows).lower()
    for plaintext in ["mscu", "1234566", "31101234567", "123 4567", "rotterdam", "fruit", "traders", "kvk",
                      "12345678", "vries", "jan", "1980"]:
        assert plaintext not in dump
    assert all(len(row["key"]) == 64 and int(row["key"], 16) >= 0 for row in rows)


def test_the_key_depends_on_the_secret(settings):
    first = match_key("container", CONTAINER)
    settings.MATCHING_KEY = "another-key-another-index"
    assert match_key("container", CONTAINER) != first
    assert match_key("imo", CONTAINER) != match_key("container", CONTAINER)


def test_the_nightly_rematch_finds_a_hit_whose_task_never_ran(cast, rtm_anr, django_capture_on_commit_callbacks):
    rtm, anr = rtm_anr
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the worker is down
        identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
        identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value="MSCU 123456 6")
    assert len(matching_enqueued(callbacks)) == 2
    assert hits_between(rtm, anr) == []
    created = hits_rematch_all()
    assert sides(hits_between(rtm, anr)) == {(rtm.reference, anr.reference), (anr.reference, rtm.reference)}
    assert {hit.pk for hit in hits_between(rtm, anr)} <= {hit.pk for hit in created}
    assert AuditEvent.objects.filter(operation=Operation.COMBINATION, case_id__in=[rtm.pk, anr.pk]).count() == 2
    # Idempotent: a second night adds nothing.
    assert hits_rematch_all() == []


def test_the_rematch_task_runs_the_same_pass(cast, rtm_anr):
    from cases.tasks import match_case_keys, rematch_all

    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="imo", value="IMO 9074729")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="imo", value="9074729")
    assert rematch_all.apply().get() >= 2
    assert match_case_keys.apply(args=[str(rtm.pk)]).get() == 0
    assert len(hits_between(rtm, anr)) == 2


def test_cases_of_the_same_agency_do_not_hit(cast):
    first, second = new_case(cast["rtm.officer"]), new_case(cast["rtm.officer"], title="Another Rotterdam case")
    for case in (first, second):
        identifier_add(actor=cast["rtm.officer"], case_id=case.pk, kind="container", value=CONTAINER)
    assert hits_match_case(case_id=second.pk) == []
    hits_rematch_all()
    assert hits_between(first, second) == []


def test_keys_and_hits_go_with_their_case(cast, rtm_anr):
    rtm, anr = rtm_anr
    for actor, case in ((cast["rtm.officer"], rtm), (cast["anr.officer"], anr)):
        identifier_add(actor=actor, case_id=case.pk, kind="container", value=CONTAINER)
    hits_match_case(case_id=rtm.pk)
    assert len(hits_between(rtm, anr)) == 2
    Case.objects.filter(pk=anr.pk).delete()
    assert not MatchKey.objects.filter(case=anr.pk).exists()
    assert not Hit.objects.filter(case=rtm).exists()


def test_the_demo_container_is_a_hit_between_rotterdam_and_antwerp(db):
    hits_rematch_all()  # idempotent; the seeding's own tasks may already have made them
    hits = Hit.objects.filter(kind="container", identifier__value=SHARED_CONTAINER).select_related(
        "case__owner_agency", "other_case__owner_agency")
    assert {(hit.case.owner_agency.code, hit.other_case.owner_agency.code) for hit in hits} == {
        ("NL-CUS-RTM", "BE-CUS-ANR"), ("BE-CUS-ANR", "NL-CUS-RTM")}


def test_production_refuses_to_start_without_a_matching_key():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu")
    env.pop("MATCHING_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "MATCHING_KEY" in result.stderr


def test_the_nightly_rematch_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["cases-rematch-all"]["task"] == "cases.tasks.rematch_all"


def test_the_api_accepts_a_belgian_officers_0031_number_and_indexes_it(cast, rtm_anr,
                                                                      django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    _rtm, anr = rtm_anr
    client = APIClient()
    client.force_authenticate(cast["anr.officer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/api/v1/cases/{anr.pk}/identifiers/", {"kind": "phone", "value": "0031101234567"},
                               format="json")
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "+31101234567"
    assert list(MatchKey.objects.filter(case=anr).values_list("kind", "key")) == [
        ("phone", match_key("phone", "+31101234567"))]
    assert len(matching_enqueued(callbacks)) == 1  # the matching task, enqueued after the commit


def test_removing_an_identifier_withdraws_the_open_hits_that_rested_on_it(cast, rtm_anr):
    from cases.services.access_requests import access_request_create

    rtm, anr = rtm_anr
    ham = new_case(cast["ham.officer"])
    container = identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="imo", value="IMO 9074729")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value=CONTAINER)
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="imo", value="IMO 9074729")
    identifier_add(actor=cast["ham.officer"], case_id=ham.pk, kind="container", value=CONTAINER)
    hits_rematch_all()
    asked = Hit.objects.get(case=ham, other_case=rtm)
    access_request_create(actor=cast["ham.officer"], hit_id=asked.pk, level="view", justification="Same box")
    assert len(hits_between(rtm, anr)) == 4 and len(hits_between(rtm, ham)) == 2

    Identifier.objects.filter(pk=container.pk).delete()  # as the retention erasure will

    assert not MatchKey.objects.filter(identifier_id=container.pk).exists()
    # Rotterdam-Antwerp still share the IMO number: those two hits stay, the container ones go.
    assert sorted(hit.kind for hit in hits_between(rtm, anr)) == ["imo", "imo"]
    # Hamburg asked for access from its hit: the request keeps it; Rotterdam's own side went with the identifier.
    assert [(hit.case, hit.status) for hit in hits_between(rtm, ham)] == [(ham, HitStatus.REQUESTED)]


def test_erasing_a_case_takes_its_keys_and_both_sides_hits(cast, rtm_anr):
    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value=CONTAINER)
    hits_rematch_all()
    Case.objects.filter(pk=anr.pk).delete()
    assert not MatchKey.objects.filter(case_id=anr.pk).exists()
    assert not Hit.objects.filter(case=rtm).exists()


def test_a_value_that_turns_frequent_withdraws_its_open_hits(cast, settings, rtm_anr):
    rtm, anr = rtm_anr
    settings.MATCHING_MAX_CASES = 3
    for actor, case in ((cast["rtm.officer"], rtm), (cast["anr.officer"], anr)):
        identifier_add(actor=actor, case_id=case.pk, kind="phone", value="+31 10 244 4444")
    hits_rematch_all()
    assert len(hits_between(rtm, anr)) == 2
    more = [new_case(cast["ham.officer"], title=f"Hamburg {number}") for number in range(2)]
    for case in more:
        identifier_add(actor=cast["ham.officer"], case_id=case.pk, kind="phone", value="+31 10 244 4444")
    assert hits_match_case(case_id=more[-1].pk) == []
    assert hits_between(rtm, anr, *more) == []
    from cases.services.matching import frequent_values

    [row] = [row for row in frequent_values() if row["key"] == match_key("phone", "+31102444444")]
    assert (row["kind"], row["cases"], row["agencies"]) == ("phone", 4, 3)


def test_the_owner_marks_an_identifier_not_to_match_over_the_api(cast, rtm_anr):
    from rest_framework.test import APIClient

    rtm, anr = rtm_anr
    line = identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="phone", value="+31 10 400 6000")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="phone", value="+31 10 400 6000")
    hits_match_case(case_id=anr.pk)
    url = f"/api/v1/cases/{rtm.pk}/identifiers/{line.pk}/matching/"
    outsider, analyst, owner = (APIClient() for _ in range(3))
    outsider.force_authenticate(cast["anr.officer"])
    analyst.force_authenticate(cast["rtm.analyst"])
    owner.force_authenticate(cast["rtm.officer"])
    assert outsider.post(url, {"excluded": True}, format="json").status_code == 404
    assert analyst.post(url, {"excluded": True}, format="json").status_code == 403
    assert owner.post(url, {"excluded": "perhaps"}, format="json").json().keys() == {"excluded"}
    response = owner.post(url, {"excluded": True, "justification": "Shipping line switchboard"}, format="json")
    assert response.status_code == 200 and response.json()["matching_excluded"] is True
    assert hits_between(rtm, anr) == []
    listed = owner.get(f"/api/v1/cases/{rtm.pk}/identifiers/").json()["results"]
    assert [row["matching_excluded"] for row in listed if row["id"] == str(line.pk)] == [True]
    assert owner.post(url, {"excluded": False}, format="json").json()["matching_excluded"] is False
    assert MatchKey.objects.filter(identifier=line).exists()


def test_a_restricted_case_learns_of_others_and_no_other_agency_learns_of_it(cast, rtm_anr):
    rtm, anr = rtm_anr
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value=CONTAINER)
    Case.objects.filter(pk=rtm.pk).update(restricted=True)
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value=CONTAINER)
    hits_match_case(case_id=anr.pk)
    hits_rematch_all()
    assert sides(hits_between(rtm, anr)) == {(rtm.reference, anr.reference)}
    assert not AuditEvent.objects.filter(action="hit_create", case_id=anr.pk).exists()
