"""Mediators' review of the vacancies the fair-work rules held: publish or refuse with a reason.

Two mediators deciding the same vacancy at once: the status check and the vacancy's version
let exactly one of them win; the other is told the vacancy has been decided already.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.states import may_be_matched
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.state import VACANCIES, bump
from matcher.vacancies.models import Vacancy, VacancyStatus

ALREADY_DECIDED = N_("Another mediator has already decided this vacancy; reload the page.")
NOTE_MAX = 5_000


def list_held_vacancies(session: Session, mediator: User) -> list[Vacancy]:
    """The vacancies waiting for a mediator, longest waiting first."""
    _require_mediator(mediator)
    return list(
        session.scalars(
            select(Vacancy)
            .options(joinedload(Vacancy.employer))
            .where(Vacancy.status == VacancyStatus.HELD)
            .order_by(Vacancy.updated_at, Vacancy.id)
        )
    )


def get_vacancy_for_review(session: Session, mediator: User, vacancy_id: int) -> Vacancy:
    """Any vacancy, whole, with its employer, for a mediator to read or decide."""
    _require_mediator(mediator)
    vacancy = session.scalar(
        select(Vacancy)
        .options(
            joinedload(Vacancy.employer),
            selectinload(Vacancy.skills),
            selectinload(Vacancy.languages),
        )
        .where(Vacancy.id == vacancy_id)
    )
    if vacancy is None:
        raise NotFound("No vacancy %(id)s.", id=vacancy_id)
    return vacancy


def publish_held_vacancy(
    session: Session, mediator: User, vacancy_id: int, expected_version: int, note: str = ""
) -> Vacancy:
    """Publish a held vacancy after reading it: it opens for matching."""
    vacancy = _held(session, mediator, vacancy_id, expected_version)
    if not may_be_matched(vacancy.employer.status):
        raise InvalidTransition(
            "The employer cannot be matched now (its vetting status is %(status)s), so its"
            " vacancy cannot be published.",
            status=vacancy.employer.status,
        )
    note = _note(note)
    vacancy.published_at = utcnow()
    _decide(session, mediator, vacancy, VacancyStatus.OPEN, "publish", note)
    return vacancy


def refuse_held_vacancy(
    session: Session, mediator: User, vacancy_id: int, expected_version: int, reason: str
) -> Vacancy:
    """Refuse a held vacancy with a reason the employer reads; the employer may change it."""
    vacancy = _held(session, mediator, vacancy_id, expected_version)
    reason = _note(reason)
    if not reason:
        raise ValidationError("Give the employer a reason for the refusal.")
    _decide(session, mediator, vacancy, VacancyStatus.REFUSED, "refuse", reason)
    return vacancy


def _require_mediator(user: User) -> None:
    if user.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may review vacancies.")


def _held(session: Session, mediator: User, vacancy_id: int, expected_version: int) -> Vacancy:
    vacancy = get_vacancy_for_review(session, mediator, vacancy_id)
    if vacancy.version_id != expected_version or vacancy.status != VacancyStatus.HELD:
        raise InvalidTransition(ALREADY_DECIDED)
    return vacancy


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError("%(what)s may be at most %(max)d characters long.",
                              what=N_("The note"), max=NOTE_MAX)  # fmt: skip
    return text


def _decide(
    session: Session, mediator: User, vacancy: Vacancy, target: VacancyStatus, action: str,
    note: str,
) -> None:  # fmt: skip
    source = vacancy.status
    vacancy.status, vacancy.review_note, vacancy.reviewed_by_id = target, note, mediator.id
    vacancy.updated_at = utcnow()
    with first_writer_wins(ALREADY_DECIDED):
        session.flush()
    record_event(session, mediator, action, "vacancy", vacancy.id, from_state=source,
                 to_state=target, reason=note)  # fmt: skip
    bump(session, VACANCIES)
