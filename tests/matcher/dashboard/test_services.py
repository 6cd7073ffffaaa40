"""The dashboard's figures against hand-built data: each counts what it says, in the period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from matcher.dashboard.results import FollowUp
from matcher.dashboard.services import build_dashboard, last_twelve_months
from matcher.employers.models import Signal, SignalOutcome, SignalStatus
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, NotFound, ValidationError
from matcher.matching.models import (
    Placement,
    PlacementStage,
    ProposalStatus,
    RejectReason,
)
from tests.factories import make_organisation, make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

START, END = date(2026, 1, 1), date(2026, 3, 31)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def mediator(session):
    return make_user(session, role="mediator")


def dashboard(session, user, **kw):
    return build_dashboard(session, user, period_start=START, period_end=END, **kw)


def client_at(session, organisation, created, active=None, **fields):
    return make_client(session, organisation=organisation, created_at=created,
                       last_activity_at=active or created, **fields)  # fmt: skip


def test_new_clients_are_counted_per_month_of_the_period(session, mediator):
    shelter = make_organisation(session)
    for created in (at(2025, 12, 31, 23), at(2026, 1, 1, 0), at(2026, 1, 20), at(2026, 3, 31, 23),
                    at(2026, 4, 1, 0)):  # fmt: skip
        client_at(session, shelter, created)

    clients = dashboard(session, mediator).clients

    assert clients.new == 3
    assert [(m.month, m.count) for m in clients.new_per_month] == [
        ("2026-01", 2), ("2026-02", 0), ("2026-03", 1),
    ]  # fmt: skip


def test_active_clients_are_those_not_erased_with_activity_in_the_period(session, mediator):
    shelter = make_organisation(session)
    client_at(session, shelter, at(2025, 6, 1), active=at(2026, 2, 1))  # changed in the period
    client_at(session, shelter, at(2025, 6, 1), active=at(2025, 7, 1))  # quiet all period
    client_at(session, shelter, at(2026, 2, 1), erased_at=at(2026, 2, 2))  # erased
    proposed = client_at(session, shelter, at(2025, 6, 1), active=at(2026, 5, 1))
    make_proposal(session, proposed, make_vacancy(session), created_at=at(2026, 3, 3))

    clients = dashboard(session, mediator).clients

    assert clients.active == 2
    assert clients.new == 1  # the erased client was still supported in the period


def test_proposals_made_approved_and_rejected_with_their_reasons(session, mediator):
    vacancy = make_vacancy(session)
    shelter = make_organisation(session)

    def proposal(status, created, decided=None, **fields):
        client = client_at(session, shelter, at(2025, 1, 1))
        return make_proposal(session, client, vacancy, status=status, created_at=created,
                             decided_at=decided, **fields)  # fmt: skip

    proposal(ProposalStatus.PROPOSED, at(2026, 1, 5))
    proposal(ProposalStatus.DEFERRED, at(2026, 2, 5))
    proposal(ProposalStatus.APPROVED, at(2026, 2, 6), at(2026, 2, 7), approved_at=at(2026, 2, 7))
    proposal(ProposalStatus.WAITING_FOR_CONSENT, at(2025, 12, 6), at(2026, 1, 7))
    proposal(ProposalStatus.REJECTED, at(2026, 3, 1), at(2026, 3, 2),
             reject_reason=RejectReason.LANGUAGE)  # fmt: skip
    proposal(ProposalStatus.REJECTED, at(2026, 3, 1), at(2026, 3, 3),
             reject_reason=RejectReason.LANGUAGE)  # fmt: skip
    proposal(ProposalStatus.REJECTED, at(2026, 3, 1), at(2026, 3, 4),
             reject_reason=RejectReason.SAFETY)  # fmt: skip
    proposal(ProposalStatus.REJECTED, at(2025, 3, 1), at(2025, 3, 4),
             reject_reason=RejectReason.SKILLS)  # fmt: skip

    proposals = dashboard(session, mediator).proposals

    assert (proposals.made, proposals.approved, proposals.rejected) == (6, 2, 3)
    assert proposals.rejected_by_reason[:2] == [
        (RejectReason.LANGUAGE, 2),
        (RejectReason.SAFETY, 1),
    ]
    assert dict(proposals.rejected_by_reason)[RejectReason.SKILLS] == 0
    assert set(dict(proposals.rejected_by_reason)) == set(RejectReason)
    assert [m.count for m in proposals.made_per_month] == [1, 2, 3]


def placed(session, client, status, *, approved=None, created=None, declined=None, **placement):
    proposal = make_proposal(session, client, make_vacancy(session), status=status,
                             created_at=at(2025, 12, 1), approved_at=approved,
                             decline_reason=declined)  # fmt: skip
    if created is not None:
        session.add(Placement(proposal=proposal, created_at=created, **placement))
        session.flush()
    return proposal


def test_introductions_interviews_hires_and_how_long_they_last(session, mediator):
    shelter = make_organisation(session)
    early = client_at(session, shelter, at(2025, 12, 1))
    late = client_at(session, shelter, at(2026, 1, 1))
    # Introduced, no answer yet; and an approval still waiting for consent (not introduced).
    placed(session, early, ProposalStatus.APPROVED, approved=at(2026, 1, 2))
    placed(session, early, ProposalStatus.WAITING_FOR_CONSENT)
    placed(session, early, ProposalStatus.DECLINED, approved=at(2026, 1, 3),
           declined="skills")  # fmt: skip
    hired = dict(stage=PlacementStage.HIRED, created=at(2026, 1, 10))
    placed(session, early, ProposalStatus.INVITED, approved=at(2026, 1, 4), **hired,
           start_date=date(2026, 1, 31), working_after_3_months=True,
           working_after_6_months=False)  # fmt: skip
    placed(session, late, ProposalStatus.INVITED, approved=at(2026, 1, 5), **hired,
           start_date=date(2026, 2, 10), working_after_3_months=False)  # fmt: skip
    placed(session, late, ProposalStatus.INVITED, approved=at(2026, 1, 6), **hired,
           start_date=date(2026, 3, 21))  # fmt: skip
    placed(session, late, ProposalStatus.INVITED, approved=at(2026, 2, 6), created=at(2026, 2, 7))
    # Hired before the period: an interview and a hire of another period.
    placed(session, early, ProposalStatus.INVITED, approved=at(2025, 12, 6),
           stage=PlacementStage.HIRED, created=at(2025, 12, 7),
           start_date=date(2025, 12, 20))  # fmt: skip

    placements = dashboard(session, mediator).placements

    assert placements.introductions == 6
    assert placements.interviews == 4
    assert placements.hires == 3
    assert placements.after_3_months == FollowUp(working=1, not_working=1, unknown=1)
    assert placements.after_6_months == FollowUp(working=0, not_working=1, unknown=2)
    # 61 days (Dec 1 to Jan 31), 40 (Jan 1 to Feb 10), 79 (Jan 1 to Mar 21): the median is 61.
    assert placements.median_days_to_hire == 61


def test_the_median_of_an_even_number_of_hires_is_the_mean_of_the_middle_two(session, mediator):
    shelter = make_organisation(session)
    client = client_at(session, shelter, at(2026, 1, 1))
    for start in (date(2026, 1, 11), date(2026, 1, 22)):
        placed(session, client, ProposalStatus.INVITED, approved=at(2026, 1, 2),
               created=at(2026, 1, 3), stage=PlacementStage.HIRED, start_date=start)  # fmt: skip

    assert dashboard(session, mediator).placements.median_days_to_hire == 15.5


def test_employers_are_counted_by_their_vetting_state_now(session, mediator):
    for status in ("approved", "approved", "suspended", "pending"):
        make_employer_profile(session, status=status)

    counts = dict(dashboard(session, mediator).employers_by_status)

    assert set(counts) == set(VettingStatus)
    assert counts[VettingStatus.APPROVED] == 2
    assert counts[VettingStatus.SUSPENDED] == 1
    assert counts[VettingStatus.PENDING] == 1
    assert counts[VettingStatus.REJECTED] == 0


def add_signal(session, created, closed=None, closer=None, reporter=None):
    signal = Signal(text="Passports kept.", created_at=created, reporter_id=reporter,
                    status=SignalStatus.CLOSED if closed else SignalStatus.RECEIVED)  # fmt: skip
    if closed:
        signal.closed_at, signal.closed_by_id = closed, closer.id
        signal.outcome = SignalOutcome.ACTION_TAKEN
    session.add(signal)
    session.flush()
    return signal


def test_signals_received_closed_and_the_median_days_to_feedback(session, mediator):
    add_signal(session, at(2026, 1, 1))
    add_signal(session, at(2026, 1, 1), at(2026, 1, 3), mediator)  # 2 days
    add_signal(session, at(2025, 12, 30), at(2026, 1, 3, 0), mediator)  # 3.5 days
    add_signal(session, at(2026, 3, 1), at(2026, 4, 3), mediator)  # closed after the period
    add_signal(session, at(2025, 11, 1), at(2025, 11, 2), mediator)  # all before

    signals = dashboard(session, mediator).signals

    assert (signals.received, signals.closed) == (3, 2)
    assert signals.median_days_to_feedback == 2.8  # (2 + 3.5) / 2, rounded to a tenth


def test_partner_organisations_active_in_the_period(session, mediator):
    busy, new, quiet = (make_organisation(session, name=n) for n in ("Busy", "New", "Quiet"))
    make_organisation(session, name="Nobody")
    client_at(session, busy, at(2025, 1, 1), active=at(2026, 1, 5))
    client_at(session, busy, at(2025, 1, 1), active=at(2026, 2, 5))
    client_at(session, new, at(2026, 3, 1), erased_at=at(2026, 3, 2))
    client_at(session, quiet, at(2025, 1, 1))

    partners = dashboard(session, mediator).partners

    assert [(p.name, p.new_clients, p.active_clients) for p in partners] == [
        ("Busy", 0, 2), ("New", 1, 0),
    ]  # fmt: skip


def test_the_organisation_filter_counts_only_its_clients_and_their_signals(session, mediator):
    ours, theirs = make_organisation(session), make_organisation(session)
    coach = make_user(session, role="coach", organisation=ours)
    vacancy = make_vacancy(session)
    for organisation in (ours, theirs, theirs):
        client = client_at(session, organisation, at(2026, 1, 2))
        make_proposal(session, client, vacancy, created_at=at(2026, 1, 3))
    add_signal(session, at(2026, 1, 4), reporter=coach.id)
    add_signal(session, at(2026, 1, 4))

    board = dashboard(session, mediator, organisation_id=ours.id)

    assert (board.clients.new, board.proposals.made, board.signals.received) == (1, 1, 1)
    assert [p.organisation_id for p in board.partners] == [ours.id]
    everyone = dashboard(session, mediator)
    assert (everyone.clients.new, everyone.proposals.made, everyone.signals.received) == (3, 3, 2)


def test_only_mediators_and_admins_see_the_dashboard(session):
    assert dashboard(session, make_user(session, role="admin")).clients.new == 0
    for role in ("coach", "employer"):
        with pytest.raises(Forbidden):
            dashboard(session, make_user(session, role=role))


def test_a_period_ending_before_it_starts_is_refused(session, mediator):
    with pytest.raises(ValidationError):
        build_dashboard(session, mediator, period_start=END, period_end=START)


def test_only_a_support_organisation_can_be_chosen(session, mediator):
    employer = make_employer_profile(session)
    with pytest.raises(NotFound):
        dashboard(session, mediator, organisation_id=employer.organisation_id)
    with pytest.raises(NotFound):
        dashboard(session, mediator, organisation_id=987654)


def test_the_default_period_is_this_month_and_the_eleven_before(session):
    assert last_twelve_months(date(2026, 11, 27)) == (date(2025, 12, 1), date(2026, 11, 27))
    assert last_twelve_months(date(2026, 1, 5)) == (date(2025, 2, 1), date(2026, 1, 5))
