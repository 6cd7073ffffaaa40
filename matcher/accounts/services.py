"""Use cases of accounts: organisations, users, signing in with throttling, language."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from matcher.accounts.models import (
    LANGUAGES,
    ROLE_ORGANISATION_KIND,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from matcher.audit.services import record_event
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError

MIN_PASSWORD_LENGTH = 12
# The passwords tried first by anyone guessing (the top of the public breach lists), lower case.
# Most are shorter than MIN_PASSWORD_LENGTH already; they are listed because a trailing run of
# digits or signs is stripped before the lookup ("password12345!" is "password").
_COMMON_PASSWORD_LIST = """
    123456 123456789 12345678 1234567890 123456789012 1234567891011 12345 1234567 111111
    000000 123123 654321 666666 121212 112233 987654321 0987654321 qwerty qwertyuiop
    qwerty123 qwertyuiopasdfghjkl asdfghjkl asdfgh zxcvbnm zxcvbnm123 1q2w3e4r 1q2w3e4r5t
    1qaz2wsx 1qaz2wsx3edc qazwsx qazwsxedc password passw0rd p@ssword p@ssw0rd password!
    passwordpassword wachtwoord welkom welcome welcomewelcome letmein letmeinnow iloveyou
    iloveyouforever admin administrator adminadmin root toor changeme changemenow secret
    supersecret topsecret monkey dragon football baseball soccer hockey master sunshine
    princess shadow superman batman trustno1 starwars whatever freedom michael jennifer
    jordan hunter ashley charlie daniel thomas computer internet login loginlogin abc123
    abcdef abcdefgh abcdefghijkl aaaaaa aaaaaaaaaaaa test testtest test1234 testing
    guest default fairmatch correcthorsebatterystaple
"""
COMMON_PASSWORDS = frozenset(_COMMON_PASSWORD_LIST.split()) | {"correct horse battery staple"}
# A pragmatic check: one @, no spaces, a dot in the domain. Delivery is the real test.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Same layout as werkzeug.security ("scrypt:n:r:p$salt$hex"), so either side can verify a hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

E = TypeVar("E", bound=StrEnum)


class LoginFailed(ValidationError):
    """Unknown e-mail address or wrong password; deliberately not saying which."""


class AccountInactive(ValidationError):
    """The password was right but the account has been switched off."""


class LoginThrottled(ValidationError):
    """Too many failed attempts lately; ``minutes`` until the next attempt may succeed."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"Too many attempts, try again in {minutes} minutes.")
        self.minutes = minutes


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a random salt."""
    salt = secrets.token_urlsafe(12)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}${salt}${digest}"


def check_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        method, salt, expected = password_hash.split("$", 2)
        name, n, r, p = method.split(":")
    except ValueError:
        return False
    if name != "scrypt":
        return False
    actual = _scrypt(password, salt, int(n), int(r), int(p))
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(
        password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
    ).hex()


# Compared against when the e-mail address is unknown, so both answers take as long.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_organisation(session: Session, name: str, kind: OrganisationKind | str) -> Organisation:
    """Create an organisation of a kind; its name must be new."""
    name = name.strip()
    if not name:
        raise ValidationError("An organisation needs a name.")
    kind = _parse_enum(OrganisationKind, kind, "organisation kind")
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise ValidationError("An organisation named %(name)r already exists.", name=name)
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    organisation: Organisation,
    language: str = "en",
) -> User:
    """Create a user for an organisation whose kind fits the role."""
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValidationError("%(email)r is not a valid e-mail address.", email=email)
    check_password_policy(password, email)
    role = _parse_enum(Role, role, "role")
    required, actual = ROLE_ORGANISATION_KIND[role], OrganisationKind(organisation.kind)
    if actual != required:
        raise ValidationError(
            "Role %(role)s needs an organisation of kind %(required)s;"
            " %(organisation)r is of kind %(actual)s.",
            role=role.value,
            required=required.value,
            organisation=organisation.name,
            actual=actual.value,
        )
    if language not in LANGUAGES:
        raise ValidationError(
            "Language must be one of %(languages)s.", languages=", ".join(LANGUAGES)
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValidationError("A user with e-mail address %(email)s already exists.", email=email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation=organisation,
        language=language,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def check_password_policy(password: str, email: str) -> None:
    """Refuse a password that is short, holds the e-mail address or is among the most common."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "The password must be at least %(length)d characters long.",
            length=MIN_PASSWORD_LENGTH,
        )
    lowered = password.lower()
    if normalise_email(email) and normalise_email(email) in lowered:
        raise ValidationError("The password must not contain your e-mail address.")
    core = lowered.strip().rstrip("0123456789!?.,@#$%^&*_-+= ")
    if lowered in COMMON_PASSWORDS or core in COMMON_PASSWORDS:
        raise ValidationError(
            "This password is one of the first that attackers try. Choose a less common one."
        )


def authenticate(
    session: Session,
    email: str,
    password: str,
    remote_addr: str,
    now: datetime,
    *,
    max_failures: int = 5,
    window_seconds: int = 900,
) -> User:
    """Sign a user in, refusing after too many recent failures for the address or the e-mail."""
    email = normalise_email(email)[:254]
    remote_addr = (remote_addr or "")[:64]
    wait = _throttle_seconds(session, email, remote_addr, now, max_failures, window_seconds)
    if wait > 0:
        # Recorded as a failure too, so hammering while locked keeps the lock on.
        _record_attempt(session, email, remote_addr, now, succeeded=False)
        raise LoginThrottled(minutes=max(1, math.ceil(wait / 60)))
    user = session.scalar(select(User).where(User.email == email))
    if not check_password(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        _record_attempt(session, email, remote_addr, now, succeeded=False)
        raise LoginFailed("Wrong e-mail address or password.")
    if not user.active:
        _record_attempt(session, email, remote_addr, now, succeeded=False)
        raise AccountInactive("This account has been deactivated.")
    _record_attempt(session, email, remote_addr, now, succeeded=True)
    user.last_login_at = now
    session.flush()
    return user


def set_user_language(session: Session, user: User, language: str) -> User:
    """Save the language a user wants the pages in."""
    if language not in LANGUAGES:
        raise ValidationError(
            "Language must be one of %(languages)s.", languages=", ".join(LANGUAGES)
        )
    user.language = language
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user with their organisation, for the admins' overview."""
    return list(
        session.scalars(
            select(User)
            .join(User.organisation)
            .options(contains_eager(User.organisation))
            .order_by(Organisation.name, User.email)
        )
    )


def list_organisation_users(session: Session, actor: User) -> list[User]:
    """The users of the actor's own organisation, active ones first."""
    _check_active(actor)
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == actor.organisation_id)
            .order_by(User.active.desc(), User.email)
        )
    )


def add_organisation_user(session: Session, actor: User, email: str, password: str) -> User:
    """Add a colleague to the actor's own organisation, with the actor's role."""
    _check_active(actor)
    user = create_user(
        session,
        email=email,
        password=password,
        role=actor.role,
        organisation=actor.organisation,
        language=actor.language,
    )
    record_event(session, actor, "add_user", "user", user.id, to_state="active")
    return user


def deactivate_organisation_user(session: Session, actor: User, user_id: int) -> User:
    """Switch off a colleague's account; never one's own, never the organisation's last one."""
    _check_active(actor)
    user = session.get(User, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        raise NotFound("No user %(id)s in your organisation.", id=user_id)
    if user.id == actor.id:
        raise ValidationError("You cannot deactivate your own account.")
    # Locked, so two colleagues switching each other off at once cannot leave nobody.
    active = session.scalars(
        select(User.id)
        .where(User.organisation_id == actor.organisation_id, User.active.is_(True))
        .with_for_update()
    ).all()
    if user.id not in active:
        raise InvalidTransition("This account has already been deactivated.")
    if actor.id not in active or len(active) < 2:
        raise ValidationError("An organisation keeps at least one active user.")
    user.active = False
    session.flush()
    record_event(session, actor, "deactivate_user", "user", user.id,
                 from_state="active", to_state="inactive")  # fmt: skip
    return user


def _check_active(actor: User) -> None:
    if not actor.active:
        raise Forbidden("A deactivated account cannot manage users.")


def _throttle_seconds(
    session: Session,
    email: str,
    remote_addr: str,
    now: datetime,
    max_failures: int,
    window_seconds: int,
) -> float:
    """Seconds until enough failures leave the window; 0 when an attempt is allowed now."""
    since = now - timedelta(seconds=window_seconds)
    # A success for the e-mail wipes its slate; an address only clears with time, so one
    # valid account cannot be used to keep guessing others from the same place.
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    email_since = max(since, last_success) if last_success else since
    conditions = [(LoginAttempt.email == email) & (LoginAttempt.at > email_since)]
    if remote_addr:
        conditions.append((LoginAttempt.remote_addr == remote_addr) & (LoginAttempt.at > since))
    waits = []
    for condition in conditions:
        times = session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.succeeded.is_(False), condition)
            .order_by(LoginAttempt.at.desc())
            .limit(max_failures)
        ).all()
        if len(times) >= max_failures:
            # The oldest of the last max_failures failures decides when the count drops.
            waits.append((times[-1] + timedelta(seconds=window_seconds) - now).total_seconds())
    return max(waits, default=0.0)


def _record_attempt(
    session: Session, email: str, remote_addr: str, now: datetime, *, succeeded: bool
) -> None:
    session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=succeeded, at=now))
    session.flush()


def _parse_enum(enum_cls: type[E], value: object, what: str) -> E:
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        raise ValidationError(
            "Unknown %(what)s %(value)r; choose one of %(choices)s.",
            what=what,
            value=value,
            choices=choices,
        ) from None
