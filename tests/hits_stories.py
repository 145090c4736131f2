"""The hit/no-hit story the API and browser tests share: a Rotterdam and an Antwerp case holding
the same container, written two ways; Antwerp's case has more to hide (an IMO number, a company)."""
import datetime

from django.utils import timezone

from cases.services import case_create, identifier_add, party_add
from cases.services.matching import hits_match_case

CONTAINER = "MSCU1234566"


def new_case(actor, title, port, handling_code="H0"):
    return case_create(actor=actor, title=title, port=port, seized_at=timezone.now() - datetime.timedelta(days=2),
                       handling_code=handling_code, legal_basis="Art. 46 UCC", summary=f"Secret summary of {title}")


def rotterdam_antwerp_pair(cast):
    rtm = new_case(cast["rtm.officer"], "Bananas from Guayaquil", "NLRTM")
    anr = new_case(cast["anr.officer"], "Pineapples for Verhoeven Logistics", "BEANR")
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value="mscu 123456-6")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value="MSCU-123456-6")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="imo", value="IMO 9074729")
    party_add(actor=cast["anr.officer"], case_id=anr.pk, kind="company", role="consignee",
              name="Verhoeven Logistics NV")
    hits_match_case(case_id=anr.pk)
    return rtm, anr
