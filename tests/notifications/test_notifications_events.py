"""Who hears of what: each domain event reaches the right people, once, with only what they may see.

Rotterdam customs (rtm.officer) owns the cases; the EU liaison bureau (liaison.officer) and
the Rotterdam prosecution service (rtm.prosecutor) are told when a case comes their way.
"""
import datetime

from django.utils import timezone

from audit.alerts import raise_alert
from audit.models import AlertKind
from cases.choices import ShareLevel, Status
from cases.models import CaseShare
from cases.services import (
    case_grant_user,
    case_revoke_grant,
    case_share,
    case_transition,
    case_unshare,
    identifier_add,
    note_add,
    seizure_add,
)
from notifications.kinds import Kind
from notifications.models import CaseFollow, Notification, OutboxEvent
from notifications.services import case_follow, case_unfollow, notify, notify_audit_alert, retention_reviews_notify
from notifications.tasks import deliver_outbox_event


def told(case, kind=None) -> dict[str, list[str]]:
    """username -> kinds of the notifications about `case` (or of `kind`, without a case)."""
    items = Notification.objects.filter(case=case) if case is not None else Notification.objects.filter(kind=kind)
    result: dict[str, list[str]] = {}
    for username, each in items.order_by("created_at").values_list("recipient__username", "kind"):
        result.setdefault(username, []).append(each)
    return result


def text_for(user, case) -> str:
    return Notification.objects.get(recipient=user, case=case).text


def test_a_share_tells_the_agency_members_who_may_see_the_case(cast, open_case, committed, member, mailoutbox):
    second_liaison = member("EU-LIA", "liaison_officer")
    analyst = member("EU-LIA", "analyst")
    member("EU-LIA", "auditor")  # auditors read audit records only
    member("EU-LIA", "agency_admin")  # admins reach case content only through a named grant
    case = open_case(cast["rtm.officer"])
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)

    assert told(case) == {name: [Kind.CASE_SHARED] for name in
                          ("liaison.officer", second_liaison.username, analyst.username)}
    assert text_for(cast["liaison.officer"], case) == f"{case.reference} [H0]: Shared with EU-LIA (View) by NL-CUS-RTM."
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        f"{name}@portcullis.example" for name in ("liaison.officer", second_liaison.username, analyst.username))


def test_a_level_change_and_a_revocation_are_told(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.CONTRIBUTE)
    share = CaseShare.objects.get(case=case, agency__code="EU-LIA")
    with committed():
        case_unshare(actor=cast["rtm.officer"], case_id=case.pk, share_id=share.pk)

    assert told(case) == {"liaison.officer": [Kind.CASE_SHARED, Kind.SHARE_LEVEL_CHANGED, Kind.SHARE_REVOKED]}
    texts = list(Notification.objects.filter(case=case).order_by("created_at").values_list("text", flat=True))
    assert texts[1].endswith("The share of EU-LIA changed from View to Contribute by NL-CUS-RTM.")
    assert texts[2] == f"{case.reference} [H0]: NL-CUS-RTM revoked the share of EU-LIA."


def test_a_revocation_is_not_told_to_whom_never_knew_the_case(cast, open_case, committed, member):
    case = open_case(cast["rtm.officer"])
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    newcomer = member("EU-LIA", "liaison_officer")  # joined after the share notice went out
    with committed():
        case_unshare(actor=cast["rtm.officer"], case_id=case.pk,
                     share_id=CaseShare.objects.get(case=case, agency__code="EU-LIA").pk)
    assert newcomer.username not in told(case)
    assert told(case)["liaison.officer"] == [Kind.CASE_SHARED, Kind.SHARE_REVOKED]


def test_access_revoked_before_delivery_means_nothing_is_sent(cast, open_case, committed, mailoutbox):
    case = open_case(cast["rtm.officer"])
    # The share commits, but its task has not run yet when the share is revoked.
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    with committed():
        case_unshare(actor=cast["rtm.officer"], case_id=case.pk,
                     share_id=CaseShare.objects.get(case=case, agency__code="EU-LIA").pk)
    shared = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    deliver_outbox_event.apply(args=[shared.pk])

    assert told(case) == {}
    assert mailoutbox == []
    assert OutboxEvent.objects.filter(case=case, delivered_at__isnull=True).count() == 0


def test_a_referral_tells_the_prosecutors_once_and_its_outcome_tells_the_owner_side(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    with committed():
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to=Status.OPEN)
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    assert told(case) == {"rtm.prosecutor": [Kind.CASE_REFERRED]}  # not also "shared with your agency"
    assert text_for(cast["rtm.prosecutor"], case).endswith("Referred to NL-OM-RTM by NL-CUS-RTM.")

    with committed():
        case_transition(actor=cast["rtm.prosecutor"], case_id=case.pk, to=Status.JUDICIAL)
    assert told(case)["rtm.officer"] == [Kind.REFERRAL_ACCEPTED]


def test_a_returned_referral_tells_the_officer_who_follows_it(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    case_transition(actor=cast["rtm.officer"], case_id=case.pk, to=Status.OPEN)
    case_transition(actor=cast["rtm.officer"], case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    with committed():
        case_transition(actor=cast["rtm.prosecutor"], case_id=case.pk, to=Status.OPEN, reason="Insufficient")
    assert told(case) == {"rtm.officer": [Kind.REFERRAL_RETURNED]}
    assert "Insufficient" not in text_for(cast["rtm.officer"], case)  # free-text reasons stay out


def test_status_changes_and_new_parts_reach_followers_only(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    case_follow(actor=cast["rtm.analyst"], case_id=case.pk)
    with committed():
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to=Status.OPEN)
        note_add(actor=cast["rtm.officer"], case_id=case.pk, text="Informant says the boat is the Maria")
        seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity="412.5", unit="kg")
        identifier_add(actor=cast["rtm.officer"], case_id=case.pk, kind="seal", value="SEAL-001")

    assert told(case) == {"rtm.analyst": [Kind.STATUS_CHANGED, Kind.NOTE_ADDED, Kind.SEIZURE_ADDED]}
    texts = " ".join(Notification.objects.filter(case=case).values_list("text", flat=True))
    for content in ("Maria", "412", "cocaine", "bananas"):
        assert content not in texts.lower()
    assert "Status changed from Draft to Open by NL-CUS-RTM." in texts


def test_creators_and_actors_follow_automatically_but_an_unfollow_sticks(cast, matrix_case, committed):
    case = matrix_case("shared_contribute")
    assert CaseFollow.objects.filter(user=cast["rtm.officer"], case=case, following=True).exists()
    note_add(actor=cast["liaison.officer"], case_id=case.pk, text="Seen at the terminal")
    assert CaseFollow.objects.filter(user=cast["liaison.officer"], case=case, following=True).exists()

    case_unfollow(actor=cast["liaison.officer"], case_id=case.pk)
    note_add(actor=cast["liaison.officer"], case_id=case.pk, text="Seen again")
    with committed():
        note_add(actor=cast["rtm.officer"], case_id=case.pk, text="Thanks")
    assert not CaseFollow.objects.get(user=cast["liaison.officer"], case=case).following
    # (The session's seed may have told them of the share itself, in embedded mode.)
    assert Kind.NOTE_ADDED not in told(case).get("liaison.officer", [])


def test_a_follower_who_lost_access_hears_nothing_more(cast, open_case, committed):
    case = open_case(cast["rtm.officer"], restricted=True)
    grant = case_grant_user(actor=cast["rtm.officer"], case_id=case.pk, user=cast["liaison.officer"], level="view")
    case_follow(actor=cast["liaison.officer"], case_id=case.pk)
    case_revoke_grant(actor=cast["rtm.officer"], case_id=case.pk, grant_id=grant.pk)
    with committed():
        note_add(actor=cast["rtm.officer"], case_id=case.pk, text="Still restricted")
    assert told(case) == {}


def test_an_audit_alert_reaches_the_agencys_auditors_only(cast, committed):
    with committed():
        alert = raise_alert(kind=AlertKind.CONSULTATION_VOLUME, agency="NL-CUS-RTM", subject="rtm.analyst",
                            window_start=timezone.now().replace(minute=0, second=0, microsecond=0), details={},
                            text="rtm.analyst consulted 80 cases this hour (usually 4).")
        # Named by mistake: an officer is not an auditor, so is not told.
        notify_audit_alert(agency_code="NL-CUS-RTM", text="Second alert", recipients=[cast["rtm.officer"]])
    assert alert is not None
    assert told(None, Kind.AUDIT_ALERT) == {"rtm.auditor": [Kind.AUDIT_ALERT, Kind.AUDIT_ALERT]}
    assert Notification.objects.filter(recipient=cast["rtm.auditor"], kind=Kind.AUDIT_ALERT).order_by(
        "created_at").first().text == "Audit alert: rtm.analyst consulted 80 cases this hour (usually 4)."


def test_a_retention_review_falling_due_is_told_once_to_followers(cast, open_case, committed):
    today = timezone.localdate()
    case = open_case(cast["rtm.officer"], review_due=today + datetime.timedelta(days=3))
    later = open_case(cast["rtm.officer"], review_due=today + datetime.timedelta(days=60))
    case_follow(actor=cast["rtm.analyst"], case_id=case.pk)
    with committed():
        assert retention_reviews_notify(today=today) >= 1
    assert retention_reviews_notify(today=today) == 0
    assert told(case) == {"rtm.officer": [Kind.RETENTION_REVIEW_DUE], "rtm.analyst": [Kind.RETENTION_REVIEW_DUE]}
    assert told(later) == {}


def test_producers_use_the_generic_entry_point(cast, matrix_case, open_case, committed):
    own = matrix_case("unrelated")  # Hamburg's case
    hidden = open_case(cast["rtm.officer"])
    with committed():
        notify(kind=Kind.CROSS_CASE_HIT, case=own, agency=own.owner_agency,
               payload={"other_agency": "NL-CUS-RTM", "identifier_kind": "container"})
        notify(kind=Kind.ACCESS_DECIDED, actor=cast["rtm.officer"], case=hidden, users=[cast["ham.officer"]],
               payload={"decision": "refused", "other_agency": "NL-CUS-RTM"})
    assert text_for(cast["ham.officer"], own) == (
        f"{own.reference} [H0]: Matches a case held by NL-CUS-RTM (Container number (ISO 6346)).")
    # Refused: the requester still cannot see the case, so the notice does not name it.
    assert text_for(cast["ham.officer"], hidden) == (
        "The access request to NL-CUS-RTM from this case was refused by NL-CUS-RTM.")
