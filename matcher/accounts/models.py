"""Organisations and the people who sign in for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.db import Base, str_enum, utcnow


class OrganisationKind(enum.StrEnum):
    SUPPORT = "support"  # NGO, shelter, municipality: their job coaches work with clients
    EMPLOYER = "employer"  # a company or a temporary work agency
    MEDIATING = "mediating"  # vets employers, reviews matches; mediators and admins


class Role(enum.StrEnum):
    COACH = "coach"
    EMPLOYER = "employer"
    MEDIATOR = "mediator"
    ADMIN = "admin"


# Which kind of organisation each role belongs to; enforced by the services that create users.
ROLE_ORGANISATION_KIND = {
    Role.COACH: OrganisationKind.SUPPORT,
    Role.EMPLOYER: OrganisationKind.EMPLOYER,
    Role.MEDIATOR: OrganisationKind.MEDIATING,
    Role.ADMIN: OrganisationKind.MEDIATING,
}

LANGUAGES = ("en", "nl")


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the services, so the unique constraint is case-insensitive in effect.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users")


class LoginAttempt(Base):
    """Failed and successful sign-ins, kept in the database so throttling holds across workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_remote_addr_at", "remote_addr", "at"),
    )
