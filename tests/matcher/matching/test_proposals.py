"""Proposals: what enters the queue, the mediators' decisions, consent, freezing, races."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent
from matcher.db import make_engine, make_session_factory, utcnow
from matcher.employers.expiry import expire_approvals, suspend_overdue_conditions
from matcher.employers.models import ChecklistSubmission, Decision, EmployerProfile
from matcher.employers.suspension import suspend_employer
from matcher.errors import Forbidden, InvalidTransition, ValidationError
from matcher.matching import proposals
from matcher.matching.models import Proposal, ProposalStatus, RejectReason
from matcher.matching.proposals import (
    approve_proposal,
    defer_proposal,
    propose_matches,
    refresh_proposals,
    reject_proposal,
    undefer_proposal,
)
from matcher.matching.results import Explanation, Match, PartialMatch
from matcher.matching.state import versions
from matcher.profiles.consent import give_consent, withdraw_consent
from matcher.profiles.models import Client, Consent, ConsentPurpose
from matcher.profiles.safety import add_employer_limit, add_sector_limit
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill, make_employer_profile
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

P = ProposalStatus
SKILL = "http://data.europa.eu/esco/skill/operate-forklift"


def consent(session, client: Client, purpose: ConsentPurpose, employer=None) -> Consent:
    """A consent in force, as a coach of the client's organisation recorded it."""
    coach = make_user(session, role="coach", organisation=client.organisation)
    row = Consent(
        client_id=client.id,
        purpose=purpose,
        employer_id=employer.id if employer is not None else None,
        given_recorded_by_id=coach.id,
    )
    session.add(row)
    session.flush()
    return row


def match(client, vacancy, score: float = 0.8) -> Match:
    explanation = Explanation(
        matched=(SKILL,),
        partly=(PartialMatch("urn:a", "urn:b"),),
        missing_essential=("urn:c",),
        filters_passed=("vacancy_open",),
        fit={"language": "meets"},
    )
    return Match(client.id, vacancy.id, score, score - 0.1, {"skill": score}, explanation, "v-9")


def actions(session, proposal) -> list[tuple[str, str | None, str | None, int | None]]:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "proposal", AuditEvent.object_id == proposal.id)
        .order_by(AuditEvent.id)
    )
    return [(e.action, e.from_state, e.to_state, e.actor_id) for e in events]


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def mediator(session):
    return make_user(session, role="mediator")


@pytest.fixture
def employer(session):
    return make_employer_profile(session, legal_name="Fairway Logistics")


@pytest.fixture
def person(session, coach):
    """A client of the coach's organisation who consented to matching."""
    client = make_client(session, coach=coach)
    consent(session, client, ConsentPurpose.MATCHING)
    return client


@pytest.fixture
def vacancy(session, employer):
    return make_vacancy(session, employer, essential=(SKILL,))


# The schema


def test_the_schema_refuses_a_second_open_proposal_for_one_pair(session, person, vacancy):
    make_proposal(session, person, vacancy)
    with pytest.raises(IntegrityError), session.begin_nested():
        make_proposal(session, person, vacancy, status=P.DEFERRED)


@pytest.mark.parametrize("closed", [P.REJECTED, P.FROZEN])
def test_the_schema_allows_a_new_proposal_after_rejection_or_freezing(
    session, person, vacancy, closed
):
    extra = {"reject_reason": RejectReason.SKILLS} if closed == P.REJECTED else {}
    make_proposal(session, person, vacancy, status=closed, **extra)
    assert make_proposal(session, person, vacancy).status == P.PROPOSED


# Proposing


def test_matches_above_the_threshold_enter_the_queue_with_what_the_mediator_will_see(
    session, person, employer
):
    good, weak = make_vacancy(session, employer), make_vacancy(session, employer)

    created = propose_matches(
        session, [match(person, good, 0.7), match(person, weak, 0.2)], threshold=0.3, per_client=5
    )

    assert [p.vacancy_id for p in created] == [good.id]
    proposal = created[0]
    assert (proposal.status, proposal.score, proposal.skill_score) == (P.PROPOSED, 0.7, 0.6)
    assert proposal.model_version == "v-9" and proposal.features == {"skill": 0.7}
    assert proposal.explanation["partly"] == [{"skill": "urn:a", "via": "urn:b"}]
    assert proposal.explanation["missing_essential"] == ["urn:c"]
    assert actions(session, proposal) == [("propose", None, "proposed", None)]


def test_a_client_gets_at_most_the_configured_number_of_open_proposals_best_first(
    session, person, employer
):
    vacancies = [make_vacancy(session, employer) for _ in range(4)]
    already = make_proposal(session, person, vacancies[0], score=0.9)
    matches = [match(person, v, s) for v, s in zip(vacancies[1:], (0.5, 0.8, 0.6), strict=True)]

    created = propose_matches(session, matches, threshold=0.3, per_client=3)

    # One place is taken by the open proposal: the two best new ones fill the other two.
    assert [p.vacancy_id for p in created] == [vacancies[2].id, vacancies[3].id]
    assert already.status == P.PROPOSED


def test_the_per_client_limit_counts_each_client_apart(session, coach, employer, vacancy):
    first, second = make_client(session, coach=coach), make_client(session, coach=coach)
    created = propose_matches(
        session, [match(first, vacancy), match(second, vacancy)], threshold=0.3, per_client=1
    )
    assert {p.client_id for p in created} == {first.id, second.id}


@pytest.mark.parametrize("earlier", [P.PROPOSED, P.REJECTED, P.APPROVED, P.DECLINED])
def test_a_pair_already_proposed_is_not_proposed_again(session, person, vacancy, earlier):
    extra = {"reject_reason": RejectReason.SKILLS} if earlier == P.REJECTED else {}
    if earlier == P.DECLINED:
        extra = {"decline_reason": "position_filled"}
    make_proposal(session, person, vacancy, status=earlier, **extra)

    assert propose_matches(session, [match(person, vacancy)], threshold=0.3, per_client=5) == []
    assert len(session.scalars(select(Proposal)).all()) == 1


def test_a_frozen_pair_may_be_proposed_again(session, person, vacancy):
    make_proposal(session, person, vacancy, status=P.FROZEN, frozen_reason="employer_suspended")
    created = propose_matches(session, [match(person, vacancy)], threshold=0.3, per_client=5)
    assert len(created) == 1 and created[0].status == P.PROPOSED


def test_a_pair_proposed_concurrently_is_skipped_not_failed(
    session, person, vacancy, employer, monkeypatch
):
    """Another re-ranking's row appears after we looked: the index refuses ours, quietly."""
    other = make_vacancy(session, employer)
    # As if the other re-ranking committed between our look and our insert.
    monkeypatch.setattr(proposals, "_proposed_vacancies", lambda session, client_id: set())
    make_proposal(session, person, vacancy)

    created = propose_matches(
        session, [match(person, vacancy), match(person, other, 0.5)], threshold=0.3, per_client=5
    )

    assert [p.vacancy_id for p in created] == [other.id]
    assert (
        len(session.scalars(select(Proposal).where(Proposal.vacancy_id == vacancy.id)).all()) == 1
    )


def test_the_default_threshold_and_limit_come_from_the_settings(
    session, person, employer, monkeypatch
):
    monkeypatch.setenv("PROPOSAL_THRESHOLD", "0.75")
    monkeypatch.setenv("PROPOSALS_PER_CLIENT", "1")
    vacancies = [make_vacancy(session, employer) for _ in range(3)]
    matches = [match(person, v, s) for v, s in zip(vacancies, (0.8, 0.9, 0.7), strict=True)]

    created = propose_matches(session, matches)

    assert [p.vacancy_id for p in created] == [vacancies[1].id]


# Approving


def test_approval_with_consent_to_share_with_the_employer_reaches_the_employer(
    session, mediator, person, vacancy, employer
):
    consent(session, person, ConsentPurpose.SHARE_WITH_EMPLOYER, employer)
    proposal = make_proposal(session, person, vacancy)

    approve_proposal(
        session, mediator, proposal.id, expected_version=proposal.version_id, note="Good fit."
    )

    assert proposal.status == P.APPROVED
    assert proposal.approved_at is not None and proposal.decided_by_id == mediator.id
    assert proposal.decision_note == "Good fit."
    assert actions(session, proposal)[-1] == ("approve", "proposed", "approved", mediator.id)


def test_approval_without_that_consent_waits_for_the_coach(
    session, mediator, person, vacancy, employer
):
    other_employer = make_employer_profile(session)
    consent(session, person, ConsentPurpose.SHARE_WITH_EMPLOYER, other_employer)
    proposal = make_proposal(session, person, vacancy)

    approve_proposal(session, mediator, proposal.id)

    assert proposal.status == P.WAITING_FOR_CONSENT and proposal.approved_at is None
    assert actions(session, proposal)[-1] == (
        "approve",
        "proposed",
        "waiting_for_consent",
        mediator.id,
    )


def test_consent_recorded_later_sends_the_waiting_approvals_with_that_employer(
    session, mediator, coach, person, vacancy, employer
):
    other_vacancy = make_vacancy(session)  # another employer's: stays waiting
    waiting = make_proposal(session, person, vacancy)
    elsewhere = make_proposal(session, person, other_vacancy)
    for proposal in (waiting, elsewhere):
        approve_proposal(session, mediator, proposal.id)

    give_consent(session, coach, person.id, "share_with_employer", employer_id=employer.id)

    assert waiting.status == P.APPROVED and waiting.approved_at is not None
    assert elsewhere.status == P.WAITING_FOR_CONSENT
    assert actions(session, waiting)[-1] == (
        "consent_recorded",
        "waiting_for_consent",
        "approved",
        coach.id,
    )


def test_consent_recorded_later_does_not_carry_a_pair_the_filters_now_refuse(
    session, mediator, coach, person, vacancy, employer
):
    proposal = make_proposal(session, person, vacancy)
    approve_proposal(session, mediator, proposal.id)
    add_sector_limit(session, coach, person.id, employer.sector or "logistics")
    vacancy.sector = employer.sector or "logistics"

    give_consent(session, coach, person.id, "share_with_employer", employer_id=employer.id)

    assert proposal.status == P.FROZEN and proposal.approved_at is None


def test_approval_is_refused_when_the_employer_was_suspended_meanwhile(
    session, mediator, person, vacancy, employer
):
    proposal = make_proposal(session, person, vacancy)
    employer.status = "suspended"  # as seen by a decision made before any freezing ran
    session.flush()

    with pytest.raises(InvalidTransition, match="no longer be approved") as refused:
        approve_proposal(session, mediator, proposal.id)
    assert refused.value.params["reason"] == "the employer may not be matched now"
    assert proposal.status == P.PROPOSED


def test_approval_is_refused_when_the_client_now_excludes_the_employer(
    session, mediator, coach, person, vacancy, employer
):
    proposal = make_proposal(session, person, vacancy)
    add_employer_limit(session, coach, person.id, employer_id=employer.id, relation="itself")

    with pytest.raises(InvalidTransition, match="no longer be approved") as refused:
        approve_proposal(session, mediator, proposal.id)
    assert "limits" in refused.value.params["reason"]


def _withdraw(row: Consent) -> None:
    row.withdrawn_at, row.withdrawn_recorded_by_id = row.given_at, row.given_recorded_by_id


@pytest.mark.parametrize(
    "change",
    [
        lambda s, v, c: setattr(v, "status", "closed") or setattr(v, "closed_at", v.created_at),
        lambda s, v, c: setattr(v, "closing_date", date.today() - timedelta(days=1)),
        lambda s, v, c: [_withdraw(x) for x in c.consents],
    ],
    ids=["vacancy closed", "closing date passed", "matching consent withdrawn"],
)
def test_approval_is_refused_when_the_pair_left_the_matching(
    session, mediator, person, vacancy, change
):
    proposal = make_proposal(session, person, vacancy)
    change(session, vacancy, person)
    session.flush()

    with pytest.raises(InvalidTransition, match="no longer be approved"):
        approve_proposal(session, mediator, proposal.id)


def test_only_a_mediator_decides(session, coach, person, vacancy):
    proposal = make_proposal(session, person, vacancy)
    for decide in (
        lambda: approve_proposal(session, coach, proposal.id),
        lambda: reject_proposal(session, coach, proposal.id, reason="skills"),
        lambda: defer_proposal(session, coach, proposal.id),
    ):
        with pytest.raises(Forbidden):
            decide()
    assert proposal.status == P.PROPOSED


# Rejecting and deferring


def test_rejection_needs_a_reason_and_other_needs_a_note(session, mediator, person, vacancy):
    proposal = make_proposal(session, person, vacancy)
    for reason, note in ((None, "x"), ("", "x"), ("bored", "x"), ("other", "  ")):
        with pytest.raises(ValidationError):
            reject_proposal(session, mediator, proposal.id, reason=reason, note=note)
    assert proposal.status == P.PROPOSED and actions(session, proposal) == []

    reject_proposal(session, mediator, proposal.id, reason="other", note="Moved abroad.")

    assert (proposal.status, proposal.reject_reason) == (P.REJECTED, RejectReason.OTHER)
    assert proposal.decision_note == "Moved abroad." and proposal.decided_at is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.object_id == proposal.id)).one()
    assert (event.action, event.reason, event.details) == (
        "reject",
        "Moved abroad.",
        {"reject_reason": "other"},
    )


def test_defer_and_bring_back_then_reject(session, mediator, person, vacancy):
    proposal = make_proposal(session, person, vacancy)

    defer_proposal(session, mediator, proposal.id, note="Ask the coach first.")
    assert proposal.status == P.DEFERRED
    with pytest.raises(InvalidTransition):
        defer_proposal(session, mediator, proposal.id)
    undefer_proposal(session, mediator, proposal.id)
    defer_proposal(session, mediator, proposal.id)
    reject_proposal(session, mediator, proposal.id, reason=RejectReason.LANGUAGE)

    assert [a[:3] for a in actions(session, proposal)] == [
        ("defer", "proposed", "deferred"),
        ("undefer", "deferred", "proposed"),
        ("defer", "proposed", "deferred"),
        ("reject", "deferred", "rejected"),
    ]


def test_a_decided_proposal_cannot_be_decided_again(session, mediator, person, vacancy):
    proposal = make_proposal(session, person, vacancy)
    reject_proposal(session, mediator, proposal.id, reason="skills")
    with pytest.raises(InvalidTransition, match="already decided") as refused:
        approve_proposal(session, mediator, proposal.id)
    assert refused.value.params == {"status": P.REJECTED}


def test_a_stale_version_is_told_another_mediator_decided(session, mediator, person, vacancy):
    proposal = make_proposal(session, person, vacancy)
    shown = proposal.version_id
    defer_proposal(session, mediator, proposal.id)

    with pytest.raises(InvalidTransition, match="already decided") as refused:
        reject_proposal(session, mediator, proposal.id, reason="skills", expected_version=shown)
    assert refused.value.params == {"status": P.DEFERRED}
    assert proposal.status == P.DEFERRED


# Freezing


def test_withdrawing_consent_to_share_freezes_the_open_proposals_with_that_employer(
    session, mediator, coach, person, vacancy, employer
):
    given = give_consent(session, coach, person.id, "share_with_employer", employer_id=employer.id)
    with_employer = make_proposal(session, person, vacancy)
    elsewhere = make_proposal(session, person, make_vacancy(session))

    withdraw_consent(session, coach, person.id, given.id)

    assert (with_employer.status, with_employer.frozen_reason) == (P.FROZEN, "consent_withdrawn")
    assert elsewhere.status == P.PROPOSED
    assert actions(session, with_employer)[-1] == (
        "freeze_proposal",
        "proposed",
        "frozen",
        coach.id,
    )


def test_withdrawing_consent_to_matching_freezes_every_open_proposal(
    session, mediator, coach, person, vacancy
):
    matching = person.consents[0]
    open_ = make_proposal(session, person, vacancy)
    waiting = make_proposal(session, person, make_vacancy(session))
    approve_proposal(session, mediator, waiting.id)
    done = make_proposal(
        session, person, make_vacancy(session), status=P.REJECTED, reject_reason="skills"
    )
    before = versions(session)["clients"]

    withdraw_consent(session, coach, person.id, matching.id)
    session.commit()  # the change is counted as it is committed

    assert open_.status == waiting.status == P.FROZEN and done.status == P.REJECTED
    assert versions(session)["clients"] == before + 1


def test_suspending_the_employer_freezes_its_open_proposals_and_counts_a_change(
    session, mediator, person, vacancy, employer
):
    proposal = make_proposal(session, person, vacancy)
    other = make_proposal(session, person, make_vacancy(session))
    before = versions(session)["employers"]

    suspend_employer(session, mediator, employer.id, "Passports withheld.")

    assert (proposal.status, proposal.frozen_reason) == (P.FROZEN, "employer_suspended")
    assert other.status == P.PROPOSED
    assert versions(session)["employers"] == before + 1
    assert actions(session, proposal)[-1] == ("freeze_proposal", "proposed", "frozen", mediator.id)
    with pytest.raises(InvalidTransition, match="already decided"):
        approve_proposal(session, mediator, proposal.id)


def test_an_expired_approval_freezes_the_employers_open_proposals(
    session, person, vacancy, employer
):
    employer.approved_until = date(2026, 1, 31)
    proposal = make_proposal(session, person, vacancy)

    expire_approvals(session, date(2026, 2, 1))

    assert (proposal.status, proposal.frozen_reason) == (P.FROZEN, "employer_expired")
    assert actions(session, proposal)[-1] == ("freeze_proposal", "proposed", "frozen", None)


def test_conditions_overdue_freeze_the_employers_open_proposals(session, person):
    employer = make_employer_profile(session, status="approved_with_conditions")
    mediator = make_user(session, role="mediator")
    session.add(
        ChecklistSubmission(
            employer_id=employer.id,
            checklist_version="1",
            status="decided",
            decision=Decision.APPROVED_WITH_CONDITIONS,
            decided_by_id=mediator.id,
            submitted_at=utcnow(),
            decided_at=utcnow(),
            conditions="Update the risk assessment",
            conditions_due=date(2026, 1, 15),
        )
    )
    proposal = make_proposal(session, person, make_vacancy(session, employer))

    suspend_overdue_conditions(session, date(2026, 2, 1))

    assert (proposal.status, proposal.frozen_reason) == (P.FROZEN, "employer_suspended")
    assert session.get(EmployerProfile, employer.id).status == "suspended"


# Two mediators at once, on a committed database


@pytest.fixture
def committed(fresh_database_url):
    """A proposal in a committed database, and a session factory over it."""
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with factory() as setup:
        client = make_client(setup)
        consent(setup, client, ConsentPurpose.MATCHING)
        proposal = make_proposal(setup, client, make_vacancy(setup))
        mediators = [make_user(setup, role="mediator").id for _ in range(2)]
        setup.commit()
        ids = proposal.id, proposal.version_id
    yield factory, ids, mediators
    engine.dispose()


def test_two_mediators_at_once_one_wins_the_other_is_told(committed):
    factory, (proposal_id, shown), (first, second) = committed
    with factory() as mine, factory() as theirs:
        # Both pages showed the proposal; both mediators press a button.
        held = mine.get(Proposal, proposal_id)
        theirs.get(Proposal, proposal_id)
        mine.commit()  # the page's request ended; the object stays as it was shown

        reject_proposal(
            theirs, theirs.get(User, second), proposal_id, reason="skills", expected_version=shown
        )
        theirs.commit()
        with pytest.raises(InvalidTransition, match="already decided") as told:
            approve_proposal(mine, mine.get(User, first), proposal_id)
        assert told.value.params == {"status": P.REJECTED}
        assert held is not None  # held, so the session used what it read: the flush found out
        mine.rollback()

    with factory() as check:
        assert check.get(Proposal, proposal_id).status == P.REJECTED
        decisions = check.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "proposal", AuditEvent.action != "propose"
            )
        ).all()
        assert decisions == ["reject"]


def test_a_mediator_posting_an_old_version_is_told_who_won(committed):
    factory, (proposal_id, shown), (first, second) = committed
    with factory() as theirs:
        defer_proposal(theirs, theirs.get(User, second), proposal_id, expected_version=shown)
        theirs.commit()
    with factory() as mine:
        with pytest.raises(InvalidTransition, match="already decided") as told:
            approve_proposal(mine, mine.get(User, first), proposal_id, expected_version=shown)
        assert told.value.params == {"status": P.DEFERRED}


# Through the engine


def skilled(session, coach):
    client = make_client(session, coach=coach)
    consent(session, client, ConsentPurpose.MATCHING)
    make_client_skill(session, client, SKILL)
    return client


@pytest.mark.parametrize("everyone", [True, False], ids=["rank_all", "one client"])
def test_refreshing_proposes_the_engines_best_matches_once(session, coach, employer, everyone):
    client = skilled(session, coach)
    fitting = make_vacancy(session, employer, essential=(SKILL,))
    make_vacancy(session, employer, essential=("urn:s:unrelated",))
    harmful = make_employer_profile(session)
    add_employer_limit(session, coach, client.id, employer_id=harmful.id, relation="itself")
    make_vacancy(session, harmful, essential=(SKILL,))  # a perfect match the limits exclude
    client_ids = None if everyone else [client.id]

    assert refresh_proposals(session, client_ids=client_ids) == 1
    assert refresh_proposals(session, client_ids=client_ids) == 0

    proposal = session.scalars(select(Proposal).where(Proposal.client_id == client.id)).one()
    assert (proposal.vacancy_id, proposal.status) == (fitting.id, P.PROPOSED)
    assert proposal.explanation["matched"] == [SKILL]
    assert proposal.model_version and proposal.features["skill"] > 0


def test_two_mediators_in_overlapping_transactions_one_wins(committed):
    factory, (proposal_id, _), (first, second) = committed
    with factory() as mine, factory() as theirs:
        if mine.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite lets one writer in at a time; PostgreSQL shows the overlap")
        shown = mine.get(Proposal, proposal_id)  # still inside the transaction that read it
        defer_proposal(theirs, theirs.get(User, second), proposal_id)
        theirs.commit()
        with pytest.raises(InvalidTransition, match="already decided") as told:
            approve_proposal(mine, mine.get(User, first), proposal_id)
        assert told.value.params == {"status": P.DEFERRED}
        assert shown is not None  # held, so the session used what it read: the flush found out
        mine.rollback()
