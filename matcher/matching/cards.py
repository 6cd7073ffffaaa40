"""The employer's side of an approved match: the anonymised card, the invitation or the decline.

The card is built from a whitelist: skills, languages, availability and the fit with the
vacancy. Nothing else of the client ever goes into it (no name, code, region, notes, limits,
permit dates, organisation or history), so a template cannot show what it was never given.
An employer reaches a card only for its own vacancy, once a mediator approved the match and
while the client's consent to share with that employer is in force; otherwise the card does not
exist for it (NotFound, never Forbidden, so its existence is not revealed either).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.models import EmployerProfile
from matcher.employers.states import MATCHABLE
from matcher.errors import N_, InvalidTransition, NotFound, ValidationError
from matcher.matching.filters import avoids, client_limits, employer_facts, vacancy_terms
from matcher.matching.models import (
    DeclineReason,
    Placement,
    PlacementStage,
    Proposal,
    ProposalStatus,
)
from matcher.matching.results import Explanation
from matcher.matching.states import ProposalActor, check_proposal_transition
from matcher.notifications.events import notify_employer_answer
from matcher.profiles.consent import InForce, consents_in_force
from matcher.profiles.models import Cefr, Client, Consent, ConsentPurpose, Shift
from matcher.profiles.skill_lists import active_uris
from matcher.skills.services import name_concepts
from matcher.vacancies.models import Vacancy

# The statuses in which the employer may see a card: approved, and after it answered.
SHOWN_STATUSES = frozenset(
    {ProposalStatus.APPROVED, ProposalStatus.INVITED, ProposalStatus.DECLINED}
)
NOTE_MAX = 2000
ALREADY_ANSWERED = N_("This match has already been answered.")
CEFR_ORDER = list(Cefr)  # A1 … C2, then a mother tongue
# No 0/O, 1/I/L: a reference read out over the phone is not misheard.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class CardSkill:
    uri: str
    label: str
    lang: str  # the label's language (English when the reader's is missing)


@dataclass(frozen=True)
class CardPartly:
    """A vacancy skill the candidate reaches through a related skill of their own."""

    skill: CardSkill
    via: CardSkill


@dataclass(frozen=True)
class CardLanguage:
    language: str
    level: Cefr


@dataclass(frozen=True)
class LanguageNeed:
    """A language the vacancy needs, and whether the candidate's level meets it."""

    language: str
    needed: Cefr
    has: Cefr | None
    meets: bool


@dataclass(frozen=True)
class Card:
    """What an employer may know about a candidate: nothing that identifies or harms them."""

    proposal_id: int
    reference: str  # "7F3K": neutral, derived from the proposal, never the client's code
    vacancy_id: int
    vacancy_title: str
    vacancy_hours: int
    status: ProposalStatus
    version: int  # the proposal's version, so a second answer is told it came too late
    matched: tuple[CardSkill, ...]
    partly: tuple[CardPartly, ...]
    missing_essential: tuple[CardSkill, ...]
    other_skills: tuple[CardSkill, ...]
    languages: tuple[CardLanguage, ...]
    language_needs: tuple[LanguageNeed, ...]
    hours_per_week: int | None
    earliest_start: date | None  # None: available straight away
    shifts_not_possible: tuple[Shift, ...]
    shift_conflicts: tuple[Shift, ...]  # the vacancy's shifts the candidate cannot work
    interview_on: date | None
    decline_reason: DeclineReason | None
    employer_note: str
    responded_at: datetime | None


@dataclass(frozen=True)
class MatchEntry:
    proposal_id: int
    reference: str
    status: ProposalStatus
    approved_at: datetime | None
    interview_on: date | None


@dataclass(frozen=True)
class VacancyMatches:
    vacancy_id: int
    title: str
    matches: tuple[MatchEntry, ...]


def card_reference(proposal_id: int) -> str:
    """A short neutral reference for a match, the same on every page that shows it."""
    digest = hashlib.blake2b(f"fairmatch-card-{proposal_id}".encode(), digest_size=8).digest()
    number, chars = int.from_bytes(digest, "big"), []
    for _ in range(4):
        number, index = divmod(number, len(_REFERENCE_ALPHABET))
        chars.append(_REFERENCE_ALPHABET[index])
    return "".join(chars)


def employer_card(
    session: Session,
    employer_user: User,
    proposal_id: int,
    *,
    lang: str = "en",
    today: date | None = None,
) -> Card:
    """Show an employer the anonymised card of a match for its vacancy (audited)."""
    proposal = _shared_proposal(session, employer_user, proposal_id, today or utcnow().date())
    record_event(session, employer_user, "view_card", "proposal", proposal.id)
    return build_card(session, proposal, lang, today)


def list_employer_matches(
    session: Session, employer_user: User, *, today: date | None = None
) -> list[VacancyMatches]:
    """List the approved matches of the employer's vacancies that it may see, by vacancy."""
    profile = _matchable_profile(session, employer_user)
    if profile is None:
        return []
    rows = session.scalars(
        select(Proposal)
        .join(Proposal.vacancy)
        .join(Proposal.client)
        .where(
            Vacancy.employer_id == profile.id,
            Proposal.status.in_(SHOWN_STATUSES),
            Client.erased_at.is_(None),
            _sharing_in_force(profile.id, today or utcnow().date()),
        )
        .order_by(Vacancy.title, Vacancy.id, Proposal.approved_at.desc(), Proposal.id)
    ).all()
    grouped: dict[int, list[Proposal]] = {}
    for proposal in (p for p in rows if not _avoided(session, p)):
        grouped.setdefault(proposal.vacancy_id, []).append(proposal)
    return [
        VacancyMatches(
            vacancy_id=vacancy_id,
            title=proposals[0].vacancy.title,
            matches=tuple(_entry(p) for p in proposals),
        )
        for vacancy_id, proposals in grouped.items()
    ]


def invite_to_interview(
    session: Session,
    employer_user: User,
    proposal_id: int,
    *,
    interview_on: date | None,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
) -> Placement:
    """Invite the candidate of an approved match to an interview; the follow-up starts."""
    today = today or utcnow().date()
    proposal = _answerable(session, employer_user, proposal_id, version, today)
    if interview_on is not None and interview_on < today:
        raise ValidationError("The interview date cannot be in the past.")
    note = _note(note)
    check_proposal_transition(proposal.status, ProposalStatus.INVITED, ProposalActor.EMPLOYER)
    proposal.status = ProposalStatus.INVITED
    _responded(proposal, employer_user, note)
    placement = Placement(
        proposal=proposal, stage=PlacementStage.INTERVIEW, interview_on=interview_on
    )
    session.add(placement)
    with first_writer_wins(ALREADY_ANSWERED):
        session.flush()
    details = {
        "placement_id": placement.id,
        "interview_on": interview_on and interview_on.isoformat(),
    }
    record_event(session, employer_user, "invite_to_interview", "proposal", proposal.id,
                 from_state=ProposalStatus.APPROVED, to_state=ProposalStatus.INVITED,
                 details=details)  # fmt: skip
    notify_employer_answer(session, proposal)
    return placement


def decline_match(
    session: Session,
    employer_user: User,
    proposal_id: int,
    *,
    reason: DeclineReason | str,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
) -> Proposal:
    """Decline an approved match with a reason (another reason needs a few words)."""
    proposal = _answerable(session, employer_user, proposal_id, version, today or utcnow().date())
    try:
        reason = DeclineReason(reason)
    except ValueError:
        raise ValidationError("Choose why you decline.") from None
    note = _note(note)
    if reason == DeclineReason.OTHER and not note:
        raise ValidationError("Say in a few words why you decline.")
    check_proposal_transition(proposal.status, ProposalStatus.DECLINED, ProposalActor.EMPLOYER)
    proposal.status, proposal.decline_reason = ProposalStatus.DECLINED, reason
    _responded(proposal, employer_user, note)
    with first_writer_wins(ALREADY_ANSWERED):
        session.flush()
    record_event(session, employer_user, "decline_match", "proposal", proposal.id,
                 from_state=ProposalStatus.APPROVED, to_state=ProposalStatus.DECLINED,
                 reason=reason.value)  # fmt: skip
    notify_employer_answer(session, proposal)
    return proposal


def build_card(session: Session, proposal: Proposal, lang: str, today: date | None = None) -> Card:
    """The card of a proposal whose reader has already been checked (employer, coach, mediator)."""
    client, vacancy = proposal.client, proposal.vacancy
    today = today or utcnow().date()
    explanation = Explanation.from_json(proposal.explanation or {})
    own = active_uris(client)
    via = {p.via_uri for p in explanation.partly}
    others = sorted(own - set(explanation.matched) - via)
    uris = [*explanation.matched, *others, *explanation.missing_essential]
    uris += [u for p in explanation.partly for u in (p.skill_uri, p.via_uri)]
    names = name_concepts(session, set(uris), lang)

    def skill(uri: str) -> CardSkill:
        label, label_lang = names.get(uri, (uri, "en"))
        return CardSkill(uri, label, label_lang)

    not_possible = tuple(Shift(s) for s in client.shifts_not_possible or ())
    placement = proposal.placement
    return Card(
        proposal_id=proposal.id,
        reference=card_reference(proposal.id),
        vacancy_id=vacancy.id,
        vacancy_title=vacancy.title,
        vacancy_hours=vacancy.hours_per_week,
        status=proposal.status,
        version=proposal.version_id,
        matched=tuple(skill(u) for u in explanation.matched),
        partly=tuple(CardPartly(skill(p.skill_uri), skill(p.via_uri)) for p in explanation.partly),
        missing_essential=tuple(skill(u) for u in explanation.missing_essential),
        other_skills=tuple(sorted((skill(u) for u in others), key=lambda s: s.label.casefold())),
        languages=tuple(CardLanguage(cl.language, cl.level) for cl in client.languages),
        language_needs=_language_needs(client, vacancy),
        hours_per_week=client.hours_per_week,
        earliest_start=_later_than(client.earliest_start, today),
        shifts_not_possible=not_possible,
        shift_conflicts=tuple(s for s in not_possible if s.value in (vacancy.shifts or ())),
        interview_on=placement.interview_on if placement else None,
        decline_reason=proposal.decline_reason,
        employer_note=proposal.employer_note,
        responded_at=proposal.responded_at,
    )


def sharing_in_force(session: Session, client: Client, employer_id: int, today: date) -> bool:
    """Whether the client's consent to share with this employer is in force today."""
    wanted = InForce(ConsentPurpose.SHARE_WITH_EMPLOYER, employer_id)
    return wanted in consents_in_force(session, client, today)


def _shared_proposal(session: Session, user: User, proposal_id: int, today: date) -> Proposal:
    """The proposal, if this employer user may see its card now; NotFound whatever else."""
    proposal = session.get(Proposal, proposal_id)
    profile = _matchable_profile(session, user)
    if (
        proposal is None
        or profile is None
        or proposal.vacancy.employer_id != profile.id
        or proposal.status not in SHOWN_STATUSES
        or proposal.client.erased_at is not None
        or not sharing_in_force(session, proposal.client, profile.id, today)
        or _avoided(session, proposal)
    ):
        raise NotFound("No match %(id)d.", id=proposal_id)
    return proposal


def _avoided(session: Session, proposal: Proposal) -> bool:
    # A limit added after the approval (the coach learned this firm is related to the one that
    # harmed the client) hides the card at once, whatever the consent still says.
    vacancy = proposal.vacancy
    limits = client_limits(session, proposal.client)
    return avoids(limits, vacancy_terms(vacancy), employer_facts(vacancy.employer))


def _matchable_profile(session: Session, user: User) -> EmployerProfile | None:
    # A suspended, expired or rejected employer sees no candidate, not even earlier ones.
    if user.role != Role.EMPLOYER:
        return None
    profile = session.scalar(
        select(EmployerProfile).where(EmployerProfile.organisation_id == user.organisation_id)
    )
    return profile if profile is not None and profile.status in MATCHABLE else None


def _answerable(
    session: Session, user: User, proposal_id: int, version: int | None, today: date
) -> Proposal:
    proposal = _shared_proposal(session, user, proposal_id, today)
    if proposal.status != ProposalStatus.APPROVED or (
        version is not None and version != proposal.version_id
    ):
        raise InvalidTransition(ALREADY_ANSWERED)
    return proposal


def _sharing_in_force(employer_id: int, today: date):
    return exists().where(
        Consent.client_id == Proposal.client_id,
        Consent.purpose == ConsentPurpose.SHARE_WITH_EMPLOYER,
        Consent.employer_id == employer_id,
        Consent.withdrawn_at.is_(None),
        or_(Consent.ends_on.is_(None), Consent.ends_on >= today),
    )


def _language_needs(client: Client, vacancy: Vacancy) -> tuple[LanguageNeed, ...]:
    levels = {cl.language: cl.level for cl in client.languages}
    needs = []
    for need in vacancy.languages:
        has = levels.get(need.language)
        meets = has is not None and CEFR_ORDER.index(has) >= CEFR_ORDER.index(need.level)
        needs.append(LanguageNeed(need.language, need.level, has, meets))
    return tuple(needs)


def _entry(proposal: Proposal) -> MatchEntry:
    placement = proposal.placement
    return MatchEntry(
        proposal_id=proposal.id,
        reference=card_reference(proposal.id),
        status=proposal.status,
        approved_at=proposal.approved_at,
        interview_on=placement.interview_on if placement else None,
    )


def _later_than(day: date | None, today: date) -> date | None:
    # A start date that has passed means "straight away"; the card need not show old dates.
    return day if day is not None and day > today else None


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("A note can be at most %(max)d characters.", max=NOTE_MAX)
    return note


def _responded(proposal: Proposal, user: User, note: str) -> None:
    proposal.responded_at, proposal.responded_by_id = utcnow(), user.id
    proposal.employer_note = note
