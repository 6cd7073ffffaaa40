"""Mediators' review of held vacancies: publish, refuse with a reason, one winner in a race."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.state import VACANCIES, versions
from matcher.vacancies.models import Vacancy, VacancyStatus
from matcher.vacancies.review import (
    get_vacancy_for_review,
    list_held_vacancies,
    publish_held_vacancy,
    refuse_held_vacancy,
)
from tests.factories import make_user
from tests.matcher.profiles.builders import make_employer_profile
from tests.matcher.vacancies.builders import make_vacancy

HELD = VacancyStatus.HELD
FINDINGS = [{"code": "V4", "severity": "hold", "message": "Housing is tied.", "params": {}}]


@pytest.fixture
def mediator(session):
    return make_user(session, role="mediator")


@pytest.fixture
def held(session):
    return make_vacancy(session, status=HELD, findings=FINDINGS)


def test_mediators_see_the_held_vacancies_with_their_findings(session, mediator, held):
    make_vacancy(session)  # open: not waiting for anyone
    waiting = list_held_vacancies(session, mediator)
    assert [v.id for v in waiting] == [held.id]
    assert waiting[0].findings[0]["code"] == "V4"
    assert waiting[0].employer.legal_name


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
def test_only_mediators_review_vacancies(session, held, role):
    user = make_user(session, role=role)
    with pytest.raises(Forbidden):
        list_held_vacancies(session, user)
    with pytest.raises(Forbidden):
        publish_held_vacancy(session, user, held.id, held.version_id)


def test_a_mediator_may_read_any_vacancy_but_not_a_missing_one(session, mediator):
    closed = make_vacancy(session, status=VacancyStatus.CLOSED)
    assert get_vacancy_for_review(session, mediator, closed.id) is closed
    with pytest.raises(NotFound):
        get_vacancy_for_review(session, mediator, closed.id + 1000)


def test_publishing_opens_the_vacancy_with_the_note_in_the_audit_log(session, mediator, held):
    before = versions(session)[VACANCIES]
    publish_held_vacancy(session, mediator, held.id, held.version_id, "Housing is separate.")
    assert held.status == VacancyStatus.OPEN and held.published_at is not None
    assert (held.review_note, held.reviewed_by_id) == ("Housing is separate.", mediator.id)
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.from_state, event.to_state) == ("publish", "held", "open")
    assert event.actor_id == mediator.id and event.reason == "Housing is separate."
    assert versions(session)[VACANCIES] == before + 1


@pytest.mark.parametrize("status", ["suspended", "expired"])
def test_a_vacancy_of_an_employer_that_may_not_be_matched_is_not_published(
    session, mediator, status
):
    vacancy = make_vacancy(session, make_employer_profile(session, status=status), status=HELD)
    with pytest.raises(InvalidTransition, match="cannot be matched now"):
        publish_held_vacancy(session, mediator, vacancy.id, vacancy.version_id)
    assert vacancy.status == HELD


def test_refusing_needs_a_reason_the_employer_reads(session, mediator, held):
    with pytest.raises(ValidationError):
        refuse_held_vacancy(session, mediator, held.id, held.version_id, "  ")
    assert held.status == HELD
    refuse_held_vacancy(session, mediator, held.id, held.version_id, "Housing must be separate.")
    assert held.status == VacancyStatus.REFUSED
    assert held.review_note == "Housing must be separate."


def test_only_a_held_vacancy_can_be_decided(session, mediator):
    vacancy = make_vacancy(session)
    with pytest.raises(InvalidTransition, match="already decided"):
        publish_held_vacancy(session, mediator, vacancy.id, vacancy.version_id)
    with pytest.raises(InvalidTransition, match="already decided"):
        refuse_held_vacancy(session, mediator, vacancy.id, vacancy.version_id, "No.")


def test_a_decision_on_an_old_page_is_told_it_was_decided(session, mediator, held):
    old_version = held.version_id
    publish_held_vacancy(session, mediator, held.id, old_version)
    with pytest.raises(InvalidTransition, match="already decided"):
        refuse_held_vacancy(session, mediator, held.id, old_version, "Too late.")
    assert held.status == VacancyStatus.OPEN


def test_two_mediators_at_once_one_wins_and_the_other_is_told(session_factory):
    setup = session_factory()
    vacancy = make_vacancy(setup, status=HELD, findings=FINDINGS)
    first, second = make_user(setup, role="mediator"), make_user(setup, role="mediator")
    setup.commit()
    ids = vacancy.id, vacancy.version_id
    mine, theirs = session_factory(), session_factory()
    # Loaded before the other mediator decides, as by the review page both have open.
    stale = mine.get(Vacancy, ids[0])
    assert stale.status == HELD

    publish_held_vacancy(theirs, theirs.get(User, second.id), *ids, "Fine.")
    theirs.commit()
    with pytest.raises(InvalidTransition, match="already decided"):
        refuse_held_vacancy(mine, mine.get(User, first.id), *ids, "No.")
    for s in (setup, mine, theirs):
        s.close()
