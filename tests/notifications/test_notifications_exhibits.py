"""Issue 16: a broken seal notifies the case's owners (its agency's members who may see it) and
its followers; nobody outside the case hears of it."""
from cases.services.exhibits import custody_record, exhibit_add
from notifications.models import Notification


def test_a_broken_seal_reaches_the_owners_and_no_one_else(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    exhibit = exhibit_add(actor=cast["rtm.officer"], case_id=case.pk, description="Sample from brick 12",
                          seal_number="NL-SEAL-0042", holder="Customs lab", location="Rotterdam")
    with committed():
        custody_record(actor=cast["rtm.officer"], case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI",
                       to_location="The Hague", purpose="analysis", seal_intact=True)
    assert not Notification.objects.filter(kind="exhibit_seal_broken").exists()
    with committed():
        custody_record(actor=cast["rtm.officer"], case_id=case.pk, exhibit_id=exhibit.pk, to_holder="Court clerk",
                       to_location="Rotterdam court", purpose="court", seal_intact=False, note="Tape cut")
    heard = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="exhibit_seal_broken")}
    # The actor is never told of their own act; the Rotterdam analyst sees the case; no other agency hears.
    assert heard == {("rtm.analyst", f"{case.reference} [H0]: NL-CUS-RTM found the seal of exhibit EX-001 broken.")}
