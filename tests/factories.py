"""Small factory functions: one per model, sensible defaults, everything overridable."""

from __future__ import annotations

import itertools
from functools import cache

from sqlalchemy.orm import Session

from matcher.accounts.models import ROLE_ORGANISATION_KIND, Organisation, Role, User
from matcher.accounts.services import hash_password
from matcher.skills.models import (
    Broader,
    Concept,
    Label,
    LabelKind,
    Occupation,
    OccupationSkill,
    RelationType,
    Skill,
)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@cache
def password_hash(password: str) -> str:
    # scrypt is slow on purpose; hashing the same test password once keeps the suite quick.
    return hash_password(password)


def make_organisation(session: Session, *, name: str | None = None, kind: str = "support"):
    organisation = Organisation(name=name or f"Organisation {next(_numbers)}", kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def make_user(
    session: Session,
    *,
    role: str = "coach",
    email: str | None = None,
    password: str = PASSWORD,
    organisation: Organisation | None = None,
    language: str = "en",
    active: bool = True,
) -> User:
    if organisation is None:
        organisation = make_organisation(session, kind=ROLE_ORGANISATION_KIND[Role(role)].value)
    user = User(
        email=email or f"{role}{next(_numbers)}@example.org",
        password_hash=password_hash(password),
        role=role,
        organisation=organisation,
        language=language,
        active=active,
    )
    session.add(user)
    session.flush()
    return user


def make_concept(
    session: Session,
    *,
    kind: str = "skill",
    uri: str | None = None,
    labels: dict[str, str] | None = None,
    alternative: dict[str, list[str]] | None = None,
    description: str = "",
) -> Concept:
    """A skill or occupation with a preferred label per language (English at least)."""
    labels = labels or {"en": f"{kind} {next(_numbers)}"}
    cls = {"skill": Skill, "occupation": Occupation}[kind]
    concept = cls(
        uri=uri or f"http://data.europa.eu/esco/{kind}/test-{next(_numbers)}",
        preferred_label=labels["en"],
        description=description,
    )
    concept.labels = [
        Label(lang=lang, kind=LabelKind.PREFERRED, text=text) for lang, text in labels.items()
    ] + [
        Label(lang=lang, kind=LabelKind.ALTERNATIVE, text=text)
        for lang, texts in (alternative or {}).items()
        for text in texts
    ]
    session.add(concept)
    session.flush()
    return concept


def link_skill(
    session: Session, occupation: Concept, skill: Concept, relation: str = "essential"
) -> None:
    session.add(
        OccupationSkill(
            occupation_id=occupation.id, skill_id=skill.id, relation_type=RelationType(relation)
        )
    )
    session.flush()


def link_broader(session: Session, concept: Concept, broader: Concept) -> None:
    session.add(Broader(concept_id=concept.id, broader_id=broader.id))
    session.flush()
