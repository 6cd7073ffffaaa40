"""An approved match an employer may see: employer, its user, vacancy, client, consent, proposal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.matching.models import Proposal, ProposalStatus
from matcher.profiles.models import Cefr, Client, Consent, ConsentPurpose
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill, make_employer_profile
from tests.matcher.skills.esco_sample import CLEAN_ROOMS, JAVA, OPERATE_FORKLIFT, WELD_METAL
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

EXPLANATION = {
    "matched": [OPERATE_FORKLIFT],
    "partly": [{"skill": CLEAN_ROOMS, "via": JAVA}],
    "missing_essential": [WELD_METAL],
    "filters_passed": ["employer_matchable", "safety_limits", "housing"],
    "fit": {"language": "meets"},
}


@dataclass
class SharedMatch:
    proposal: Proposal
    employer: EmployerProfile
    employer_user: User
    coach: User
    client: Client


def make_shared_match(
    session: Session,
    *,
    coach: User | None = None,
    client: Client | None = None,
    employer: EmployerProfile | None = None,
    status: ProposalStatus = ProposalStatus.APPROVED,
    consent: bool = True,
    employer_user: User | None = None,
    **proposal_fields,
) -> SharedMatch:
    """A proposal a mediator approved, with the client's consent to share with the employer."""
    coach = coach or make_user(session, role="coach")
    if client is None:
        client = make_client(session, coach=coach, hours_per_week=24)
        make_client_skill(session, client, OPERATE_FORKLIFT)
        make_client_skill(session, client, JAVA)
    employer = employer or make_employer_profile(session)
    employer_user = employer_user or make_user(
        session, role="employer", organisation=employer.organisation
    )
    vacancy = make_vacancy(
        session,
        employer,
        essential=(OPERATE_FORKLIFT, WELD_METAL),
        optional=(CLEAN_ROOMS,),
        languages={"nl": Cefr.B1},
        shifts=["night"],
    )
    approved = status not in (ProposalStatus.PROPOSED, ProposalStatus.DEFERRED)
    proposal = make_proposal(
        session,
        client,
        vacancy,
        status=status,
        explanation=dict(EXPLANATION),
        approved_at=utcnow() if approved else None,
        **proposal_fields,
    )
    if consent:
        give_sharing_consent(session, client, employer, coach)
    return SharedMatch(proposal, employer, employer_user, coach, client)


def give_sharing_consent(
    session: Session,
    client: Client,
    employer: EmployerProfile,
    coach: User,
    *,
    ends_on: date | None = None,
) -> Consent:
    """The client's consent to share with the employer, straight in the database."""
    consent = Consent(
        purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
        employer_id=employer.id,
        given_recorded_by_id=coach.id,
        ends_on=ends_on,
    )
    client.consents.append(consent)
    session.flush()
    return consent
