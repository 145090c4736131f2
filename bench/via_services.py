"""Writes case plans through the services, one act at a time, as the application would.

Slow (dozens of queries per case); bench.verify uses it on a few hundred cases to prove that
bench.bulk writes the same rows.
"""
from django.contrib.auth import get_user_model

from agencies.models import Role
from cases.choices import Status
from cases.services import (
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

from .bulk import LEGAL_BASIS, REFERRAL_REASON
from .plan import CasePlan
from .population import Population


def write_with_services(population: Population, plans: list[CasePlan]) -> None:
    users = get_user_model().objects.in_bulk(population.usernames)
    for plan in plans:
        actor = users[plan.creator]
        case = case_create(
            actor=actor, title=plan.title, port=plan.port, seized_at=plan.seized_at,
            handling_code=plan.handling_code, legal_basis=LEGAL_BASIS, summary=plan.summary,
            h3_conditions=plan.h3_conditions, source_reliability=plan.source_reliability,
            information_assessment=plan.information_assessment, restricted=plan.restricted,
        )
        for item in plan.seizures:
            seizure_add(actor=actor, case_id=case.pk, **item)
        for kind, raw, _value in plan.identifiers:
            identifier_add(actor=actor, case_id=case.pk, kind=kind, value=raw)
        for party in plan.parties:
            party_add(actor=actor, case_id=case.pk, **party)
        for locode, role in plan.route:
            route_leg_add(actor=actor, case_id=case.pk, locode=locode, role=role)
        for text in plan.notes:
            note_add(actor=actor, case_id=case.pk, text=text)
        for code, level in plan.shares:
            case_share(actor=actor, case_id=case.pk, agency_code=code, level=level)
        for user_id, level in plan.named:
            case_grant_user(actor=actor, case_id=case.pk, user=users[user_id], level=level)
        for status in plan.statuses:
            mover = actor
            if status == Status.JUDICIAL:  # only the referred agency's prosecutor accepts a case
                mover = users[population.agencies[plan.referred_to].members[Role.PROSECUTOR][0]]
            referral = status == Status.REFERRED
            case_transition(actor=mover, case_id=case.pk, to=status, reason=REFERRAL_REASON if referral else "",
                            agency_code=plan.referred_to if referral else None)
