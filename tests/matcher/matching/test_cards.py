"""The employer's anonymised card of an approved match, and its invitation or decline."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent
from matcher.db import make_engine, make_session_factory, utcnow
from matcher.employers.states import VettingStatus
from matcher.errors import InvalidTransition, NotFound, ValidationError
from matcher.matching.cards import (
    card_reference,
    decline_match,
    employer_card,
    invite_to_interview,
    list_employer_matches,
)
from matcher.matching.models import (
    DeclineReason,
    Placement,
    PlacementStage,
    Proposal,
    ProposalStatus,
)
from matcher.profiles.models import Cefr, ClientLanguage, EmployerRelation, Shift
from matcher.profiles.safety import add_area_limit, add_employer_limit, add_sector_limit
from tests.factories import make_user
from tests.matcher.matching.placement_builders import give_sharing_consent, make_shared_match
from tests.matcher.profiles.builders import make_client_with_secrets, make_employer_profile
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    JAVA,
    OPERATE_FORKLIFT,
    WELD_METAL,
    add_concepts,
)

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)


def events(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_card_shows_skills_languages_availability_and_the_fit(session):
    match = make_shared_match(session)
    client = match.client
    client.languages.append(ClientLanguage(language="nl", level=Cefr.A2))
    client.earliest_start = TODAY + timedelta(days=10)
    client.shifts_not_possible = ["night", "weekend"]
    session.flush()

    card = employer_card(session, match.employer_user, match.proposal.id, lang="nl", today=TODAY)

    assert card.reference == card_reference(match.proposal.id) != client.code
    assert [(s.uri, s.label) for s in card.matched] == [(OPERATE_FORKLIFT, "heftruck besturen")]
    assert [(p.skill.uri, p.via.uri) for p in card.partly] == [(CLEAN_ROOMS, JAVA)]
    assert [s.uri for s in card.missing_essential] == [WELD_METAL]
    # JAVA is the way to a partly matched skill, so it is not listed again among the others.
    assert card.other_skills == ()
    assert [(lang.language, lang.level) for lang in card.languages] == [("nl", Cefr.A2)]
    [need] = card.language_needs
    assert (need.language, need.needed, need.has, need.meets) == ("nl", Cefr.B1, Cefr.A2, False)
    assert card.hours_per_week == 24 and card.vacancy_hours == 32
    assert card.earliest_start == TODAY + timedelta(days=10)
    assert card.shifts_not_possible == (Shift.NIGHT, Shift.WEEKEND)
    assert card.shift_conflicts == (Shift.NIGHT,)
    [event] = events(session, "view_card")
    assert (event.actor_id, event.object_type, event.object_id) == (
        match.employer_user.id,
        "proposal",
        match.proposal.id,
    )


def test_a_start_date_that_has_passed_reads_as_straight_away(session):
    match = make_shared_match(session)
    match.client.earliest_start = TODAY - timedelta(days=1)
    card = employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    assert card.earliest_start is None


def test_the_card_holds_nothing_of_the_client_beyond_skills_languages_and_availability(session):
    coach = make_user(session, role="coach")
    client, secrets = make_client_with_secrets(session, coach)
    match = make_shared_match(session, coach=coach, client=client)
    card = employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    text = repr(asdict(card))
    for secret in [*secrets, client.code, client.first_name]:
        assert secret not in text
    # The filters passed ("safety_limits") would hint at the client's past: not on the card.
    assert "safety" not in text


def test_another_employer_never_finds_the_card(session):
    match = make_shared_match(session)
    other = make_employer_profile(session)
    other_user = make_user(session, role="employer", organisation=other.organisation)
    give_sharing_consent(session, match.client, other, match.coach)
    with pytest.raises(NotFound):
        employer_card(session, other_user, match.proposal.id, today=TODAY)
    assert list_employer_matches(session, other_user, today=TODAY) == []
    assert events(session, "view_card") == []


@pytest.mark.parametrize(
    "status",
    [ProposalStatus.PROPOSED, ProposalStatus.WAITING_FOR_CONSENT, ProposalStatus.REJECTED],
)
def test_no_card_before_approval(session, status):
    fields = {"reject_reason": "skills"} if status == ProposalStatus.REJECTED else {}
    match = make_shared_match(session, status=status, **fields)
    with pytest.raises(NotFound):
        employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    assert list_employer_matches(session, match.employer_user, today=TODAY) == []


def test_no_card_without_the_consent_to_share_with_this_employer(session):
    match = make_shared_match(session, consent=False)
    with pytest.raises(NotFound):
        employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    assert list_employer_matches(session, match.employer_user, today=TODAY) == []


def test_a_withdrawn_or_ended_consent_hides_the_card_again(session):
    match = make_shared_match(session, consent=False)
    consent = give_sharing_consent(
        session, match.client, match.employer, match.coach, ends_on=TODAY
    )
    assert employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    with pytest.raises(NotFound):
        employer_card(
            session, match.employer_user, match.proposal.id, today=TODAY + timedelta(days=1)
        )
    consent.withdrawn_at, consent.withdrawn_recorded_by_id = utcnow(), match.coach.id
    session.flush()
    with pytest.raises(NotFound):
        employer_card(session, match.employer_user, match.proposal.id, today=TODAY)


@pytest.mark.parametrize("limit", ["employer", "related_firm", "sector", "area"])
def test_a_limit_added_after_the_approval_hides_the_card_at_once(session, limit):
    match = make_shared_match(session)
    assert employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    employer, vacancy = match.employer, match.proposal.vacancy
    if limit == "employer":
        add_employer_limit(session, match.coach, match.client.id, employer_id=employer.id,
                           relation=EmployerRelation.ITSELF)  # fmt: skip
    elif limit == "related_firm":
        add_employer_limit(session, match.coach, match.client.id,
                           registration_number=employer.kvk_number,
                           relation=EmployerRelation.SAME_OWNERS)  # fmt: skip
    elif limit == "sector":
        vacancy.sector = "meat processing"
        add_sector_limit(session, match.coach, match.client.id, "Meat Processing")
    else:
        add_area_limit(session, match.coach, match.client.id, vacancy.place.upper())
    with pytest.raises(NotFound):
        employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    assert list_employer_matches(session, match.employer_user, today=TODAY) == []


def test_a_suspended_employer_sees_no_card(session):
    match = make_shared_match(session)
    match.employer.status = VettingStatus.SUSPENDED
    session.flush()
    with pytest.raises(NotFound):
        employer_card(session, match.employer_user, match.proposal.id, today=TODAY)
    assert list_employer_matches(session, match.employer_user, today=TODAY) == []


def test_the_matches_are_listed_by_vacancy_with_their_status(session):
    first = make_shared_match(session)
    second = make_shared_match(
        session,
        employer=first.employer,
        employer_user=first.employer_user,
        coach=first.coach,
        status=ProposalStatus.INVITED,
    )
    hidden = make_shared_match(session, employer=first.employer, employer_user=first.employer_user)
    hidden.proposal.status, hidden.proposal.reject_reason = ProposalStatus.REJECTED, "skills"
    session.flush()

    listed = list_employer_matches(session, first.employer_user, today=TODAY)

    assert [(v.vacancy_id, [(m.proposal_id, m.status) for m in v.matches]) for v in listed] == [
        (first.proposal.vacancy_id, [(first.proposal.id, ProposalStatus.APPROVED)]),
        (second.proposal.vacancy_id, [(second.proposal.id, ProposalStatus.INVITED)]),
    ]
    assert listed[0].matches[0].reference == card_reference(first.proposal.id)


def test_an_invitation_starts_the_placement(session):
    match = make_shared_match(session)
    on = TODAY + timedelta(days=5)
    placement = invite_to_interview(
        session, match.employer_user, match.proposal.id, interview_on=on, note="Tuesday, 10:00",
        today=TODAY,
    )  # fmt: skip
    proposal = match.proposal
    assert proposal.status == ProposalStatus.INVITED
    assert proposal.responded_by_id == match.employer_user.id and proposal.responded_at
    assert proposal.employer_note == "Tuesday, 10:00"
    assert (
        session.scalar(select(Placement).where(Placement.proposal_id == proposal.id)) is placement
    )
    assert (placement.stage, placement.interview_on) == (PlacementStage.INTERVIEW, on)
    [event] = events(session, "invite_to_interview")
    assert (event.from_state, event.to_state, event.actor_id) == (
        "approved",
        "invited",
        match.employer_user.id,
    )
    card = employer_card(session, match.employer_user, proposal.id, today=TODAY)
    assert (card.status, card.interview_on) == (ProposalStatus.INVITED, on)


def test_an_invitation_may_leave_the_date_open_but_not_in_the_past(session):
    match = make_shared_match(session)
    with pytest.raises(ValidationError):
        invite_to_interview(session, match.employer_user, match.proposal.id,
                            interview_on=TODAY - timedelta(days=1), today=TODAY)  # fmt: skip
    assert match.proposal.status == ProposalStatus.APPROVED
    placement = invite_to_interview(
        session, match.employer_user, match.proposal.id, interview_on=None, today=TODAY
    )
    assert placement.interview_on is None


def test_a_second_answer_is_told_the_match_is_already_answered(session):
    match = make_shared_match(session)
    version = match.proposal.version_id
    invite_to_interview(session, match.employer_user, match.proposal.id, interview_on=None,
                        version=version, today=TODAY)  # fmt: skip
    with pytest.raises(InvalidTransition, match="already been answered"):
        invite_to_interview(session, match.employer_user, match.proposal.id, interview_on=None,
                            version=version, today=TODAY)  # fmt: skip
    with pytest.raises(InvalidTransition, match="already been answered"):
        decline_match(session, match.employer_user, match.proposal.id,
                      reason=DeclineReason.SKILLS, version=version, today=TODAY)  # fmt: skip
    assert match.proposal.status == ProposalStatus.INVITED
    assert len(events(session, "invite_to_interview")) == 1


def test_an_answer_from_an_old_page_is_told_too(session):
    match = make_shared_match(session)
    with pytest.raises(InvalidTransition, match="already been answered"):
        decline_match(session, match.employer_user, match.proposal.id,
                      reason=DeclineReason.SKILLS, version=match.proposal.version_id - 1,
                      today=TODAY)  # fmt: skip
    assert match.proposal.status == ProposalStatus.APPROVED


def test_a_decline_needs_a_reason_and_another_reason_needs_words(session):
    match = make_shared_match(session)
    for reason, note in (("", ""), ("nonsense", ""), (DeclineReason.OTHER, "  ")):
        with pytest.raises(ValidationError):
            decline_match(session, match.employer_user, match.proposal.id, reason=reason,
                          note=note, today=TODAY)  # fmt: skip
    assert match.proposal.status == ProposalStatus.APPROVED
    decline_match(session, match.employer_user, match.proposal.id, reason=DeclineReason.OTHER,
                  note="We close the site.", today=TODAY)  # fmt: skip
    proposal = match.proposal
    assert (proposal.status, proposal.decline_reason, proposal.employer_note) == (
        ProposalStatus.DECLINED,
        DeclineReason.OTHER,
        "We close the site.",
    )
    [event] = events(session, "decline_match")
    assert (event.to_state, event.reason) == ("declined", "other")
    assert proposal.placement is None


def test_a_coach_or_mediator_cannot_answer_for_the_employer(session):
    match = make_shared_match(session)
    mediator = make_user(session, role="mediator")
    for user in (match.coach, mediator):
        with pytest.raises(NotFound):
            invite_to_interview(session, user, match.proposal.id, interview_on=None, today=TODAY)
    assert match.proposal.status == ProposalStatus.APPROVED


# Two users of the employer answer at once, on a committed database


@pytest.fixture
def committed(fresh_database_url):
    """An approved, shared match in a committed database, and a session factory over it."""
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with factory() as setup:
        match = make_shared_match(setup)
        colleague = make_user(setup, role="employer", organisation=match.employer.organisation)
        setup.commit()
        ids = match.proposal.id, match.employer_user.id, colleague.id
    yield factory, ids
    engine.dispose()


def test_two_answers_at_once_one_wins_the_other_is_told(committed):
    factory, (proposal_id, first, second) = committed
    with factory() as mine, factory() as theirs:
        # Both saw the card (a request each, committed); both press a button.
        shown = employer_card(mine, mine.get(User, first), proposal_id).version
        mine.commit()
        employer_card(theirs, theirs.get(User, second), proposal_id)
        theirs.commit()

        decline_match(theirs, theirs.get(User, second), proposal_id, reason="position_filled",
                      version=shown)  # fmt: skip
        theirs.commit()
        with pytest.raises(InvalidTransition, match="already been answered"):
            invite_to_interview(mine, mine.get(User, first), proposal_id, interview_on=None,
                                version=shown)  # fmt: skip
        mine.rollback()

    with factory() as check:
        assert check.get(Proposal, proposal_id).status == ProposalStatus.DECLINED
        assert check.scalars(select(Placement)).all() == []
