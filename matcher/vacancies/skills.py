"""Skills to suggest for a vacancy: its occupation's ESCO skills and those its text mentions.

Suggestions are computed and shown, never saved: the employer ticks, unticks and chooses
essential or optional, and only the submitted vacancy form stores skills.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.errors import N_, NotFound, ValidationError
from matcher.skills.extract import extract_skills
from matcher.skills.models import RelationType
from matcher.skills.search import search_concepts
from matcher.skills.services import RelatedConcept, list_occupation_skills, name_concepts
from matcher.vacancies.models import DESCRIPTION_MAX

FROM_TEXT = 10
# Extraction scores every skill a little; below this a suggestion is noise to an employer.
MIN_TEXT_SCORE = 0.05
SEARCH_RESULTS = 5


class SkillOrigin(enum.StrEnum):
    OCCUPATION_ESSENTIAL = "occupation_essential"  # ESCO: essential for the occupation
    OCCUPATION_OPTIONAL = "occupation_optional"  # ESCO: optional for the occupation
    DESCRIPTION = "description"  # found in the vacancy's title or description
    SEARCH = "search"  # found by the employer's own search


@dataclass(frozen=True)
class SuggestedSkill:
    uri: str
    label: str  # in the reader's language, English when ESCO has none
    origin: SkillOrigin
    essential: bool  # the choice the form starts with
    ticked: bool  # whether the form starts with it ticked


def suggest_vacancy_skills(
    session: Session, occupation_uri: str | None, description: str, lang: str
) -> list[SuggestedSkill]:
    """The occupation's essential and optional skills, then the ones the text mentions."""
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("%(what)s may be at most %(max)d characters long.",
                              what=N_("The description"), max=DESCRIPTION_MAX)  # fmt: skip
    found: dict[str, SuggestedSkill] = {}
    if occupation_uri:
        for skill in _occupation_skills(session, occupation_uri, lang):
            essential = skill.relation == RelationType.ESSENTIAL
            origin = (SkillOrigin.OCCUPATION_ESSENTIAL if essential
                      else SkillOrigin.OCCUPATION_OPTIONAL)  # fmt: skip
            # ESCO's optional lists are long: offered, not ticked.
            found[skill.uri] = SuggestedSkill(skill.uri, skill.label, origin, essential, essential)
    # Any language: an employer may write in Dutch, English or a mix of both.
    extracted = [
        skill
        for skill in extract_skills(session, description, lang=None, top=FROM_TEXT)
        if skill.score >= MIN_TEXT_SCORE and skill.uri not in found
    ]
    names = name_concepts(session, [skill.uri for skill in extracted], lang)
    for skill in extracted:
        label = names.get(skill.uri, (skill.label, ""))[0]
        found[skill.uri] = SuggestedSkill(skill.uri, label, SkillOrigin.DESCRIPTION, False, True)
    return list(found.values())


def find_vacancy_skills(session: Session, query: str, lang: str) -> list[SuggestedSkill]:
    """ESCO skills found by the employer's words, in any language, to tick for a vacancy."""
    return [
        SuggestedSkill(hit.uri, label, SkillOrigin.SEARCH, False, False)
        for hit, label in _named(session, query, "skill", lang)
    ]


def find_occupations(session: Session, query: str, lang: str) -> list[tuple[str, str]]:
    """ESCO occupations found by the employer's words: (uri, label in the reader's language)."""
    return [(hit.uri, label) for hit, label in _named(session, query, "occupation", lang)]


def name_skills(session: Session, uris: list[str], lang: str) -> dict[str, str]:
    """Each concept's name in the reader's language (English when ESCO has none)."""
    return {uri: label for uri, (label, _) in name_concepts(session, uris, lang).items()}


def _occupation_skills(session: Session, uri: str, lang: str) -> list[RelatedConcept]:
    try:
        return list_occupation_skills(session, uri, lang)
    except NotFound:
        raise ValidationError("No ESCO occupation with URI %(uri)s.", uri=uri) from None


def _named(session: Session, query: str, kind: str, lang: str) -> list:
    query = " ".join((query or "").split())[:200]
    if not query:
        return []
    hits = search_concepts(session, query, kind=kind, limit=SEARCH_RESULTS)
    names = name_concepts(session, [hit.uri for hit in hits], lang)
    return [(hit, names.get(hit.uri, (hit.label, ""))[0]) for hit in hits]
