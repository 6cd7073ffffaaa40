"""Each change notifies the right people, and no mail ever carries a client's data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.employers.services import decide_vetting
from matcher.employers.signals import close_signal, report_signal, start_review
from matcher.matching.cards import decline_match, invite_to_interview
from matcher.matching.models import ProposalStatus, RejectReason
from matcher.matching.proposals import approve_proposal, propose_matches, reject_proposal
from matcher.matching.results import Explanation, Match
from matcher.notifications.events import notify_expiry_warning
from matcher.notifications.models import Notification, NotificationKind, OutboxMail
from matcher.profiles.models import Consent, ConsentPurpose
from tests.factories import make_user
from tests.matcher.employers.builders import TODAY as VETTING_DAY
from tests.matcher.employers.builders import approved, submitted
from tests.matcher.matching.placement_builders import make_shared_match
from tests.matcher.profiles.builders import (
    make_client,
    make_client_with_secrets,
    make_employer_profile,
)
from tests.matcher.skills.esco_sample import add_concepts
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

K = NotificationKind
P = ProposalStatus
TODAY = date.today()


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)


def received(session, kind) -> list[tuple[int, str, dict]]:
    query = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    return [(n.user_id, n.link, n.params) for n in session.scalars(query)]


def match(client, vacancy, score: float = 0.8) -> Match:
    explanation = Explanation((), (), (), ("vacancy_open",), {})
    return Match(client.id, vacancy.id, score, score, {"skill": score}, explanation, "v-1")


def consent_to_matching(session, client, coach) -> None:
    client.consents.append(Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id))
    session.flush()


def test_new_proposals_notify_every_mediator_once_per_batch(session):
    mediators = [make_user(session, role="mediator") for _ in range(2)]
    make_user(session, role="coach")
    client = make_client(session)
    vacancies = [make_vacancy(session) for _ in range(3)]

    created = propose_matches(session, [match(client, v) for v in vacancies], threshold=0.3)

    assert len(created) == 3
    assert received(session, K.NEW_PROPOSALS) == [
        (m.id, "/mediator/queue", {"count": 3}) for m in mediators
    ]
    assert propose_matches(session, [match(client, v) for v in vacancies]) == []
    assert len(received(session, K.NEW_PROPOSALS)) == 2


@pytest.fixture
def shelter(session):
    """Two coaches of the client's organisation, a coach elsewhere, a mediator, the client."""
    coach = make_user(session, role="coach")
    colleague = make_user(session, role="coach", organisation=coach.organisation)
    make_user(session, role="coach")
    client = make_client(session, coach=coach)
    consent_to_matching(session, client, coach)
    return coach, colleague, client, make_user(session, role="mediator")


def test_an_approval_with_consent_tells_the_clients_coaches(session, shelter):
    coach, colleague, client, mediator = shelter
    shared = make_shared_match(session, coach=coach, client=client, status=P.PROPOSED)

    approve_proposal(session, mediator, shared.proposal.id, today=TODAY)

    link = f"/coach/clients/{client.id}/proposals"
    params = {"proposal_id": shared.proposal.id, "client_id": client.id, "status": "approved"}
    assert received(session, K.PROPOSAL_DECIDED) == [
        (coach.id, link, params),
        (colleague.id, link, params),
    ]


def test_an_approval_waiting_for_consent_asks_the_coaches_for_it(session, shelter):
    coach, colleague, client, mediator = shelter
    shared = make_shared_match(
        session, coach=coach, client=client, status=P.PROPOSED, consent=False
    )

    approve_proposal(session, mediator, shared.proposal.id, today=TODAY)

    assert shared.proposal.status == P.WAITING_FOR_CONSENT
    assert [u for u, link, _ in received(session, K.CONSENT_NEEDED)] == [coach.id, colleague.id]
    assert {link for _u, link, _ in received(session, K.CONSENT_NEEDED)} == {
        "/coach/consent-needed"
    }
    assert received(session, K.PROPOSAL_DECIDED) == []


def test_a_rejection_tells_the_clients_coaches(session, shelter):
    coach, colleague, client, mediator = shelter
    proposal = make_proposal(session, client, make_vacancy(session))

    reject_proposal(session, mediator, proposal.id, reason=RejectReason.SKILLS)

    assert [(u, p["status"]) for u, _l, p in received(session, K.PROPOSAL_DECIDED)] == [
        (coach.id, "rejected"),
        (colleague.id, "rejected"),
    ]


@pytest.mark.parametrize("answer", ["invite", "decline"])
def test_the_employers_answer_tells_the_coaches_and_the_approving_mediator(
    session, shelter, answer
):
    coach, colleague, client, mediator = shelter
    shared = make_shared_match(
        session, coach=coach, client=client, decided_by_id=mediator.id, decided_at=utcnow()
    )
    make_user(session, role="mediator")  # another mediator, who did not approve it

    if answer == "invite":
        invite_to_interview(session, shared.employer_user, shared.proposal.id, interview_on=None)
        kind, mediator_link = K.INVITATION, "/mediator/placements"
    else:
        decline_match(session, shared.employer_user, shared.proposal.id, reason="skills")
        kind, mediator_link = K.MATCH_DECLINED, "/mediator/queue"

    coach_link = f"/coach/clients/{client.id}/proposals"
    assert [(u, link) for u, link, _ in received(session, kind)] == [
        (coach.id, coach_link),
        (colleague.id, coach_link),
        (mediator.id, mediator_link),
    ]


def test_a_closed_signal_tells_its_reporter_and_nobody_else(session):
    reporter, mediator = make_user(session, role="coach"), make_user(session, role="mediator")
    signal = report_signal(session, reporter, text="Passports taken at the farm.")
    anonymous = report_signal(session, None, text="No account, no notification.")
    for one in (signal, anonymous):
        start_review(session, mediator, one.id, one.version_id)
        close_signal(session, mediator, one.id, one.version_id, "action_taken", feedback="Done.")

    assert received(session, K.SIGNAL_FEEDBACK) == [
        (reporter.id, "/signals", {"signal_id": signal.id, "outcome": "action_taken"})
    ]


def test_a_vetting_decision_tells_the_employers_users(session):
    profile, employer, _mediator = approved(session)

    assert received(session, K.VETTING_DECIDED) == [
        (employer.id, "/employer/checklist", {"employer_id": profile.id, "decision": "approved"})
    ]


def test_an_expiry_warning_tells_the_employer_and_the_mediators(session):
    profile = make_employer_profile(session, approved_until=TODAY + timedelta(days=30))
    boss = make_user(session, role="employer", organisation=profile.organisation)
    mediator = make_user(session, role="mediator")

    notify_expiry_warning(session, profile, 30)

    params = {
        "employer_id": profile.id,
        "days_left": 30,
        "until": profile.approved_until.isoformat(),
    }
    assert received(session, K.EXPIRY_WARNING) == [
        (boss.id, "/employer/checklist", params),
        (mediator.id, f"/mediator/employers/{profile.id}", params),
    ]


def test_no_mail_ever_carries_the_clients_code_name_or_story(session):
    coach = make_user(session, role="coach", language="nl")
    make_user(session, role="coach", organisation=coach.organisation)
    mediator = make_user(session, role="mediator")
    client, secrets = make_client_with_secrets(session, coach)
    client.work_allowed_from = None  # the work permit's date would keep every match back
    consent_to_matching(session, client, coach)
    sharing = session.get(EmployerProfile, client.consents[0].employer_id)
    boss = make_user(session, role="employer", organisation=sharing.organisation)
    other = make_employer_profile(session)
    vacancies = [make_vacancy(session, sharing) for _ in range(3)] + [make_vacancy(session, other)]

    [invited, declined, rejected, waiting] = propose_matches(
        session, [match(client, v) for v in vacancies], threshold=0.1
    )
    for proposal in (invited, declined, waiting):
        approve_proposal(session, mediator, proposal.id, today=TODAY)
    reject_proposal(session, mediator, rejected.id, reason=RejectReason.OTHER, note=client.code)
    invite_to_interview(session, boss, invited.id, interview_on=None, note=client.code)
    decline_match(session, boss, declined.id, reason="other", note=client.first_name)
    signal = report_signal(session, coach, text=f"{client.code} {secrets[0]}")
    start_review(session, mediator, signal.id, signal.version_id)
    close_signal(
        session, mediator, signal.id, signal.version_id, "action_taken", feedback=secrets[1]
    )
    submitted_profile, _employer, submission = submitted(session)
    decide_vetting(session, mediator, submission.id, submission.version_id, "rejected",
                   reason=secrets[2], today=VETTING_DAY)  # fmt: skip
    notify_expiry_warning(session, sharing, 7)

    kinds = {n.kind for n in session.scalars(select(Notification))}
    assert kinds == set(K) - {K.PLACEMENT_DUE}
    outbox = list(session.scalars(select(OutboxMail)))
    assert any("Fairmatch" in m.body and "melding" in m.body for m in outbox)
    for mail in outbox:
        for secret in [*secrets, client.code, client.first_name]:
            assert secret not in mail.subject and secret not in mail.body, (secret, mail.body)
    assert submitted_profile.id
