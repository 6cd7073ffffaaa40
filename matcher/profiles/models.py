"""Clients and what a coach records with them: skills, languages, wishes, safety limits, consent.

The record is about a person who has been harmed: it holds as little as possible. A client is
known by a generated code; a first name or initials are optional; a permit shows only as the
date it ends, never its type. Skills and wishes point at ESCO by URI, which survives re-imports.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from matcher.accounts.models import Organisation
from matcher.db import Base, str_enum, utcnow


class Cefr(enum.StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "native"  # a mother tongue


class Shift(enum.StrEnum):
    EARLY = "early"  # starting before 7:00
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"


class SkillSource(enum.StrEnum):
    TYPED = "typed"  # found by typing, in any language
    OCCUPATION = "occupation"  # ticked from an occupation the client has done
    NOTES = "notes"  # suggested from pasted intake notes and confirmed


class SkillLevel(enum.StrEnum):
    SOME_EXPERIENCE = "some_experience"
    EXPERIENCED = "experienced"
    CAN_TEACH = "can_teach"  # can teach others


class LimitKind(enum.StrEnum):
    EMPLOYER = "employer"  # an employer, or a firm related to one
    SECTOR = "sector"
    AREA = "area"  # a municipality or area


class EmployerRelation(enum.StrEnum):
    # How an avoided firm relates to the one that harmed the client: all are excluded alike.
    ITSELF = "itself"
    SAME_OWNERS = "same_owners"
    TRADE_NAME = "trade_name"
    AGENCY_OR_RECRUITER = "agency_or_recruiter"
    HOUSING_PROVIDER = "housing_provider"


class ConsentPurpose(enum.StrEnum):
    MATCHING = "matching"  # the client may be matched at all
    SHARE_WITH_MEDIATORS = "share_with_mediators"  # an anonymised profile for mediators
    SHARE_WITH_EMPLOYER = "share_with_employer"  # with one named employer, for one match


NAME_MAX = 50
NOTES_MAX = 20_000


# The columns of a client that matching reads (matcher/matching/filters.py ClientRow); a change
# to another one (notes, a first name, the last activity) changes no ranking.
RANKED_CLIENT_COLUMNS = (
    "region",
    "hours_per_week",
    "shifts_not_possible",
    "work_allowed_from",
    "permit_ends_on",
    "housing_independent",
    "erased_at",
)


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The coach's organisation; only its coaches (and mediators, reading) reach the client.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # generated, pseudonymous
    first_name: Mapped[str | None] = mapped_column(String(NAME_MAX))  # or initials; optional
    profile_language: Mapped[str] = mapped_column(String(8), default="en")
    region: Mapped[str] = mapped_column(String(100), default="")  # municipality or region
    max_travel_minutes: Mapped[int | None] = mapped_column(Integer)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    earliest_start: Mapped[date | None]
    shifts_not_possible: Mapped[list[str]] = mapped_column(JSON, default=list)
    work_allowed_from: Mapped[date | None]
    permit_ends_on: Mapped[date | None]  # the date only: never the kind of permit
    # A hard rule for matching: no vacancy whose housing is tied to it or paid from the wage.
    housing_independent: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")  # the coach's organisation only
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Any change by a coach; the retention job (issue 6) anonymises long-inactive clients.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(Integer)

    organisation: Mapped[Organisation] = relationship()
    languages: Mapped[list[ClientLanguage]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientLanguage.id"
    )
    wishes: Mapped[list[ClientWish]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientWish.id"
    )
    skills: Mapped[list[ClientSkill]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientSkill.id"
    )
    limits: Mapped[list[SafetyLimit]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="SafetyLimit.id"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Consent.id"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint(
            "max_travel_minutes IS NULL OR (max_travel_minutes >= 0 AND max_travel_minutes <= 600)",
            name="travel_range",
        ),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 1 AND hours_per_week <= 60)",
            name="hours_range",
        ),
        # An erased client keeps nothing that could point at the person.
        CheckConstraint(
            "erased_at IS NULL OR (first_name IS NULL AND notes = '' AND region = ''"
            " AND permit_ends_on IS NULL AND work_allowed_from IS NULL)",
            name="erased_is_empty",
        ),
    )


class ClientLanguage(Base):
    __tablename__ = "client_language"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1 where one exists, else 639-3
    level: Mapped[Cefr] = mapped_column(str_enum(Cefr))

    client: Mapped[Client] = relationship(back_populates="languages")

    __table_args__ = (UniqueConstraint("client_id", "language"),)


class ClientWish(Base):
    """An occupation (ESCO) or a sector the client would like to work in."""

    __tablename__ = "client_wish"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    occupation_uri: Mapped[str | None] = mapped_column(String(255))
    sector: Mapped[str | None] = mapped_column(String(100))

    client: Mapped[Client] = relationship(back_populates="wishes")

    __table_args__ = (
        CheckConstraint(
            "(occupation_uri IS NULL) != (sector IS NULL)", name="occupation_or_sector"
        ),
    )


class ClientSkill(Base):
    """A skill the coach confirmed with the client; removed ones are kept to restore them."""

    __tablename__ = "client_skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    skill_uri: Mapped[str] = mapped_column(String(255))
    source: Mapped[SkillSource] = mapped_column(str_enum(SkillSource))
    # The occupation URI it was ticked from, or the words of the notes it was found in.
    source_detail: Mapped[str] = mapped_column(String(500), default="")
    level: Mapped[SkillLevel] = mapped_column(
        str_enum(SkillLevel), default=SkillLevel.SOME_EXPERIENCE
    )
    informal: Mapped[bool] = mapped_column(Boolean, default=False)  # gained informally
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    client: Mapped[Client] = relationship(back_populates="skills")

    __table_args__ = (
        # A skill is on a profile once; a removed one can be restored rather than added again.
        Index(
            "uq_client_skill_active",
            "client_id",
            "skill_uri",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
            sqlite_where=text("removed_at IS NULL"),
        ),
        CheckConstraint(
            "(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_has_remover"
        ),
    )


class SafetyLimit(Base):
    """A hard rule for matching: an employer, a related firm, a sector or an area to avoid."""

    __tablename__ = "safety_limit"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    kind: Mapped[LimitKind] = mapped_column(str_enum(LimitKind))
    # An employer: chosen from the system, or by name and registration number, or both.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer_profile.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    registration_number: Mapped[str] = mapped_column(String(64), default="")
    relation: Mapped[EmployerRelation | None] = mapped_column(str_enum(EmployerRelation))
    sector: Mapped[str] = mapped_column(String(100), default="")
    area: Mapped[str] = mapped_column(String(100), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship(back_populates="limits")

    __table_args__ = (
        CheckConstraint(
            "kind != 'employer' OR ((employer_id IS NOT NULL OR employer_name != ''"
            " OR registration_number != '') AND relation IS NOT NULL)",
            name="employer_is_named",
        ),
        CheckConstraint("kind != 'sector' OR sector != ''", name="sector_is_named"),
        CheckConstraint("kind != 'area' OR area != ''", name="area_is_named"),
    )


class Consent(Base):
    """A client's consent for one purpose: given, perhaps withdrawn, each with who recorded it."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    # Only for sharing with one employer: that employer (and, from issue 5, the match).
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer_profile.id"))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    given_recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    ends_on: Mapped[date | None]  # a consent given for a limited time
    withdrawn_at: Mapped[datetime | None]
    withdrawn_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    client: Mapped[Client] = relationship(back_populates="consents")

    __table_args__ = (
        CheckConstraint(
            "(purpose = 'share_with_employer') = (employer_id IS NOT NULL)",
            name="employer_only_for_sharing_with_one",
        ),
        CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawn_recorded_by_id IS NULL)",
            name="withdrawn_has_recorder",
        ),
        # One consent in force per purpose, and per employer for sharing with one; a new one
        # only after a withdrawal, so the history of each stays readable.
        Index(
            "uq_consent_in_force",
            "client_id",
            "purpose",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL AND employer_id IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL AND employer_id IS NULL"),
        ),
        Index(
            "uq_consent_in_force_employer",
            "client_id",
            "employer_id",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL AND employer_id IS NOT NULL"),
            sqlite_where=text("withdrawn_at IS NULL AND employer_id IS NOT NULL"),
        ),
    )


# Whatever changes a client's side of matching moves the ``clients`` counter (matcher/matching/
# state.py), so that cached client facts are read again and the scheduler re-ranks. It is watched
# here, at every flush, rather than in each service: a new way to edit a profile cannot forget it.
CHANGED = "fairmatch_clients_changed"
_CLIENT_ROWS = (ClientLanguage, ClientWish, ClientSkill, SafetyLimit, Consent)


def changes_ranking(session: Session) -> bool:
    """Whether what this session is about to flush can change how clients rank."""
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, (Client, *_CLIENT_ROWS)):
            return True
    for instance in session.dirty:
        state = inspect(instance)
        if isinstance(instance, _CLIENT_ROWS):
            names = [attr.key for attr in state.attrs]
        elif isinstance(instance, Client):
            names = list(RANKED_CLIENT_COLUMNS)
        else:
            continue
        if any(state.attrs[name].history.has_changes() for name in names):
            return True
    return False


@event.listens_for(Session, "before_flush")
def _note_client_changes(session: Session, flush_context, instances) -> None:
    if not session.info.get(CHANGED) and changes_ranking(session):
        session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _count_client_changes(session: Session) -> None:
    # Flushed first: changes still pending would otherwise reach the database after the count.
    session.flush()
    if session.info.pop(CHANGED, False):
        # Imported here: matching reads profiles, not the other way round.
        from matcher.matching.state import CLIENTS, bump

        bump(session, CLIENTS)


@event.listens_for(Session, "after_transaction_end")
def _forget_client_changes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: committed or rolled back
        session.info.pop(CHANGED, None)
