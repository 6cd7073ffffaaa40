"""Use cases of employers' vacancies: post, change, close, list; the scheduler's closing job.

Every save runs the fair-work rules (rules.py): a blocking finding refuses the vacancy with
its reason and saves nothing; a finding that needs a person holds it for a mediator
(review.py); a clean vacancy opens for matching at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.models import EmployerProfile
from matcher.employers.states import may_be_matched
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.freeze import freeze_open_proposals
from matcher.matching.state import VACANCIES, bump
from matcher.pagination import Page, fetch_page
from matcher.vacancies.drafts import VacancyDraft, validated_draft
from matcher.vacancies.models import Vacancy, VacancyLanguage, VacancySkill, VacancyStatus
from matcher.vacancies.rules import Finding, Severity, VacancyTerms, check_vacancy
from matcher.vacancies.tables import bundled_phrases, load_wage_table

CHANGED_MEANWHILE = N_("Someone changed this vacancy at the same time. Reload it and try again.")
# Kept with the rules' findings, so the mediator sees why a vacancy with none is back.
RESUBMITTED = N_("The employer changed this vacancy after a mediator refused it.")
CHANGEABLE = (VacancyStatus.OPEN, VacancyStatus.HELD, VacancyStatus.REFUSED)


class VacancyRefused(ValidationError):
    """A fair-work rule refuses the vacancy; the message and params are the first finding's."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message, **findings[0].params)
        self.findings = findings


def create_vacancy(
    session: Session, employer: User, draft: VacancyDraft, today: date | None = None
) -> Vacancy:
    """Post a vacancy: refused, held for a mediator or opened, as the fair-work rules decide."""
    today = today or date.today()
    profile = _matchable_profile(session, employer)
    draft = validated_draft(session, draft, today)
    findings = _findings(draft, profile, today)
    vacancy = Vacancy(employer=profile, created_by_id=employer.id)
    _apply(vacancy, draft, profile)
    session.add(vacancy)
    _set_status(vacancy, findings)
    session.flush()
    record_event(session, employer, "create", "vacancy", vacancy.id, to_state=vacancy.status,
                 details={"findings": [f["code"] for f in vacancy.findings]})  # fmt: skip
    bump(session, VACANCIES)
    return vacancy


def update_vacancy(
    session: Session,
    employer: User,
    vacancy_id: int,
    draft: VacancyDraft,
    expected_version: int | None = None,
    today: date | None = None,
) -> Vacancy:
    """Change a vacancy: the rules run again; a refused one goes back to a mediator."""
    today = today or date.today()
    profile = _matchable_profile(session, employer)
    vacancy = get_own_vacancy(session, employer, vacancy_id)
    _check_version(vacancy, expected_version)
    if vacancy.status not in CHANGEABLE:
        raise InvalidTransition("A closed vacancy cannot be changed.")
    draft = validated_draft(session, draft, today)
    findings = _findings(draft, profile, today)
    source = vacancy.status
    with first_writer_wins(CHANGED_MEANWHILE):
        _apply(vacancy, draft, profile)
        _set_status(vacancy, findings, resubmitted=source == VacancyStatus.REFUSED)
        session.flush()
    if source == VacancyStatus.OPEN and vacancy.status == VacancyStatus.HELD:
        # Its new terms wait for a mediator: nothing proposed on the old terms may go on.
        freeze_open_proposals(session, vacancy_id=vacancy.id, reason="vacancy_held", actor=employer)
    record_event(session, employer, "update", "vacancy", vacancy.id, from_state=source,
                 to_state=vacancy.status,
                 details={"findings": [f["code"] for f in vacancy.findings]})  # fmt: skip
    bump(session, VACANCIES)
    return vacancy


def close_vacancy(
    session: Session, employer: User, vacancy_id: int, expected_version: int | None = None
) -> Vacancy:
    """Close one of the employer's own vacancies; its open proposals are frozen."""
    vacancy = get_own_vacancy(session, employer, vacancy_id)
    _check_version(vacancy, expected_version)
    if vacancy.status == VacancyStatus.CLOSED:
        raise InvalidTransition("This vacancy is closed already.")
    with first_writer_wins(CHANGED_MEANWHILE):
        _close(session, employer, vacancy, "close")
    bump(session, VACANCIES)
    return vacancy


def close_past_closing_date(session: Session, today: date | None = None) -> int:
    """Close every open or held vacancy whose closing date has passed; return how many."""
    today = today or date.today()
    due = session.scalars(
        select(Vacancy)
        .where(
            Vacancy.status.in_((VacancyStatus.OPEN, VacancyStatus.HELD)),
            Vacancy.closing_date < today,
        )
        .order_by(Vacancy.id)
    ).all()
    for vacancy in due:
        _close(session, None, vacancy, "close_past_closing_date")
    if due:
        bump(session, VACANCIES)
    return len(due)


def list_own_vacancies(
    session: Session, employer: User, *, page: int | None = None, per_page: int | None = None
) -> Page[Vacancy]:
    """The employer's own vacancies: the ones still running first, newest first."""
    profile = _own_profile(session, employer)
    closed_last = case((Vacancy.status == VacancyStatus.CLOSED, 1), else_=0)
    # The list shows no skills or languages: reading them cost two queries per page for nothing.
    query = (
        select(Vacancy)
        .where(Vacancy.employer_id == profile.id)
        .order_by(closed_last, Vacancy.id.desc())
    )
    return fetch_page(session, query, page, per_page).map(lambda row: row[0])


def get_own_vacancy(session: Session, employer: User, vacancy_id: int) -> Vacancy:
    """One of the employer's own vacancies; another employer's is not found."""
    profile = _own_profile(session, employer)
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.employer_id != profile.id:
        raise NotFound("No vacancy %(id)s.", id=vacancy_id)
    return vacancy


def employer_may_post(session: Session, employer: User) -> EmployerProfile:
    """The employer's profile when it may post vacancies now; else Forbidden saying why."""
    return _matchable_profile(session, employer)


def stored_findings(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as the vacancy keeps them (JSON): code, severity, message template, params."""
    return [
        {"code": f.code, "severity": str(f.severity), "message": f.message,
         "params": dict(f.params)}
        for f in findings
    ]  # fmt: skip


def _own_profile(session: Session, employer: User) -> EmployerProfile:
    if employer.role != Role.EMPLOYER:
        raise Forbidden("Only an employer's own users may manage its vacancies.")
    profile = session.scalar(
        select(EmployerProfile).where(EmployerProfile.organisation_id == employer.organisation_id)
    )
    if profile is None:
        raise NotFound("This organisation has no employer profile.")
    return profile


def _matchable_profile(session: Session, employer: User) -> EmployerProfile:
    profile = _own_profile(session, employer)
    if not may_be_matched(profile.status):
        raise Forbidden(
            "Your organisation cannot post vacancies while its vetting status is %(status)s;"
            " only an approved employer can.",
            status=profile.status,
        )
    return profile


def _check_version(vacancy: Vacancy, expected_version: int | None) -> None:
    if expected_version is not None and vacancy.version_id != expected_version:
        raise InvalidTransition(CHANGED_MEANWHILE)


def _findings(draft: VacancyDraft, profile: EmployerProfile, today: date) -> list[Finding]:
    """The rules' findings; raises VacancyRefused when one of them blocks the vacancy."""
    terms = VacancyTerms(
        country=profile.registration_country,
        on=today,
        wage_amount=draft.wage_amount,
        wage_period=draft.wage_period,  # type: ignore[arg-type]  # validated
        hours_per_week=Decimal(draft.hours_per_week or 0),
        housing_offered=draft.housing_offered,
        housing_rent=draft.housing_rent,
        housing_rent_period=draft.housing_rent_period,  # type: ignore[arg-type]  # validated
        housing_deducted_from_pay=draft.housing_deducted_from_pay,
        housing_tied_to_contract=draft.housing_tied_to_contract,
        worker_fees=draft.worker_fees,
        text=f"{draft.title}\n{draft.description}",
    )
    findings = check_vacancy(terms, load_wage_table(), bundled_phrases())
    if blocking := [f for f in findings if f.severity is Severity.BLOCK]:
        raise VacancyRefused(blocking)
    return findings


def _apply(vacancy: Vacancy, draft: VacancyDraft, profile: EmployerProfile) -> None:
    fields: Mapping[str, Any] = {
        name: getattr(draft, name)
        for name in ("title", "occupation_uri", "description", "place", "hours_per_week",
                     "contract_type", "contract_months", "wage_amount", "wage_period",
                     "housing_offered", "housing_rent", "housing_rent_period",
                     "housing_deducted_from_pay", "housing_tied_to_contract", "worker_fees",
                     "closing_date")
    }  # fmt: skip
    for name, value in fields.items():
        setattr(vacancy, name, value)
    vacancy.shifts, vacancy.support = list(draft.shifts), list(draft.support)
    vacancy.country, vacancy.sector = profile.registration_country, profile.sector
    vacancy.updated_at = utcnow()
    _replace_skills(vacancy, draft)
    _replace_languages(vacancy, draft)


def _replace_skills(vacancy: Vacancy, draft: VacancyDraft) -> None:
    # Rows are kept by URI (unique per vacancy), so a skill moved between essential and
    # optional is updated in place rather than deleted and inserted in one flush.
    wanted = {uri: True for uri in draft.essential_skills}
    wanted |= {uri: False for uri in draft.optional_skills}
    kept = [row for row in vacancy.skills if row.skill_uri in wanted]
    for row in kept:
        row.essential = wanted[row.skill_uri]
    present = {row.skill_uri for row in kept}
    vacancy.skills = kept + [
        VacancySkill(skill_uri=uri, essential=essential)
        for uri, essential in wanted.items()
        if uri not in present
    ]


def _replace_languages(vacancy: Vacancy, draft: VacancyDraft) -> None:
    wanted = dict(draft.languages)
    kept = [row for row in vacancy.languages if row.language in wanted]
    for row in kept:
        row.level = wanted[row.language]  # type: ignore[assignment]  # validated
    present = {row.language for row in kept}
    vacancy.languages = kept + [
        VacancyLanguage(language=code, level=level)
        for code, level in wanted.items()
        if code not in present
    ]


def _set_status(vacancy: Vacancy, findings: list[Finding], resubmitted: bool = False) -> None:
    stored = stored_findings(findings)
    if resubmitted:
        stored.append({"code": "resubmitted", "severity": str(Severity.HOLD),
                       "message": RESUBMITTED, "params": {}})  # fmt: skip
    vacancy.findings = stored
    if stored:
        vacancy.status = VacancyStatus.HELD
    else:
        vacancy.status, vacancy.published_at = VacancyStatus.OPEN, utcnow()


def _close(session: Session, actor: User | None, vacancy: Vacancy, action: str) -> None:
    source = vacancy.status
    vacancy.status, vacancy.closed_at = VacancyStatus.CLOSED, utcnow()
    session.flush()
    record_event(session, actor, action, "vacancy", vacancy.id, from_state=source,
                 to_state=vacancy.status)  # fmt: skip
    reason = "vacancy_closed"
    freeze_open_proposals(session, vacancy_id=vacancy.id, reason=reason, actor=actor)
