"""Reading the review queue: its order, who may read it, the review, the consents needed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matcher.db import utcnow
from matcher.errors import Forbidden, NotFound
from matcher.matching.models import ProposalStatus, RejectReason
from matcher.matching.proposals import approve_proposal, reject_proposal
from matcher.matching.queue import get_proposal_for_review, list_queue, list_waiting_for_consent
from matcher.profiles.models import Consent, ConsentPurpose
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

P = ProposalStatus


@pytest.fixture
def mediator(session):
    return make_user(session, role="mediator")


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


def test_the_queue_puts_waiting_review_first_then_deferred_then_consent_best_first(
    session, mediator, coach
):
    client = make_client(session, coach=coach)
    employer = make_employer_profile(session, legal_name="Fairway Logistics")
    made = {
        name: make_proposal(
            session, client, make_vacancy(session, employer, title=name), status=status, score=score
        )
        for name, status, score in (
            ("low", P.PROPOSED, 0.4),
            ("waiting", P.WAITING_FOR_CONSENT, 0.99),
            ("high", P.PROPOSED, 0.9),
            ("deferred", P.DEFERRED, 0.95),
        )
    }
    made["rejected"] = make_proposal(
        session, client, make_vacancy(session, employer, title="rejected"),
        status=P.REJECTED, reject_reason=RejectReason.SKILLS,
    )  # fmt: skip
    made["high"].created_at = utcnow() - timedelta(days=3, hours=1)
    session.flush()

    items = list_queue(session, mediator)

    assert [i.vacancy_title for i in items] == ["high", "low", "deferred", "waiting"]
    first = items[0]
    assert (first.client_code, first.employer_name, first.days_waiting) == (
        client.code,
        "Fairway Logistics",
        3,
    )
    assert [i.vacancy_title for i in list_queue(session, mediator, status="deferred")] == [
        "deferred"
    ]
    with pytest.raises(NotFound):
        list_queue(session, mediator, status=P.REJECTED)


def test_only_mediators_read_the_queue_and_only_coaches_the_consents_needed(
    session, mediator, coach
):
    proposal = make_proposal(session, make_client(session, coach=coach), make_vacancy(session))
    with pytest.raises(Forbidden):
        list_queue(session, coach)
    with pytest.raises(Forbidden):
        get_proposal_for_review(session, coach, proposal.id)
    with pytest.raises(Forbidden):
        list_waiting_for_consent(session, mediator)
    with pytest.raises(NotFound):
        get_proposal_for_review(session, mediator, proposal.id + 1000)


def test_the_review_carries_the_consent_state_the_refusal_and_the_history(session, mediator, coach):
    client = make_client(session, coach=coach)
    client.consents.append(Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id))
    proposal = make_proposal(session, client, make_vacancy(session))
    approve_proposal(session, mediator, proposal.id, note="Fits well.")
    proposal.vacancy.employer.status = "suspended"
    session.flush()

    review = get_proposal_for_review(session, mediator, proposal.id)

    assert review.matching_consent and not review.share_consent
    assert review.refusal == "the employer may not be matched now"
    assert [(h.action, h.to_state, h.actor_email, h.reason) for h in review.history] == [
        ("approve", "waiting_for_consent", mediator.email, "Fits well.")
    ]


def test_a_coach_sees_only_their_organisations_approvals_waiting_for_consent(
    session, mediator, coach
):
    ours, theirs = make_client(session, coach=coach), make_client(session)
    for client in (ours, theirs):
        client.consents.append(
            Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id)
        )
    waiting = make_proposal(session, ours, make_vacancy(session, title="Packer"))
    approve_proposal(session, mediator, waiting.id)
    approve_proposal(session, mediator, make_proposal(session, theirs, make_vacancy(session)).id)
    rejected = make_proposal(session, ours, make_vacancy(session))
    reject_proposal(session, mediator, rejected.id, reason="skills")

    items = list_waiting_for_consent(session, coach)

    assert [(i.proposal_id, i.client_code, i.vacancy_title) for i in items] == [
        (waiting.id, ours.code, "Packer")
    ]
