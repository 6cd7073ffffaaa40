"""The profile a client keeps: what they can do, the languages they speak, the work they want.

The document is the client's own, to take to an employer or a course without Fairmatch, so it
is built from an allow-list: the name (or the code), skills, languages and wishes. Notes, safety
limits, permit and work dates, consent, the organisation and the coach are never read here, so
nothing about the client's past can leak into it by a later change to the page or the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import LANGUAGES, User
from matcher.errors import ValidationError
from matcher.profiles.access import view_client
from matcher.profiles.models import Cefr, SkillLevel
from matcher.profiles.skill_lists import skill_groups
from matcher.skills.models import EscoImport, Label
from matcher.skills.services import name_concepts

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Mother tongue first, then the strongest.
CEFR_ORDER = {level: i for i, level in enumerate(reversed(list(Cefr)))}


@dataclass(frozen=True)
class DocumentSkill:
    uri: str
    label: str
    lang: str  # the label's language: the document's, or English when ESCO has none
    level: SkillLevel
    informal: bool  # learned on the job rather than in a school or a course


@dataclass(frozen=True)
class SkillGroupSection:
    """Skills under one ESCO skill group (or broader concept); uri None: no group known."""

    uri: str | None
    label: str
    lang: str
    skills: list[DocumentSkill]


@dataclass(frozen=True)
class DocumentLanguage:
    language: str  # ISO code
    level: Cefr


@dataclass(frozen=True)
class DocumentOccupation:
    uri: str
    label: str
    lang: str


@dataclass(frozen=True)
class ProfileDocument:
    code: str  # for the file name; shown only when no name is recorded
    name: str  # first name or initials, else the code
    language: str  # the language the document is in
    own_language: str  # the client's profile language, the document's unless another was asked
    skill_groups: list[SkillGroupSection]
    languages: list[DocumentLanguage]
    occupations: list[DocumentOccupation]
    sectors: list[str]


def build_profile_document(
    session: Session, user: User, client_id: int, language: str | None = None
) -> ProfileDocument:
    """Build the profile a client keeps, in their language or the one asked; the view is audited."""
    client = view_client(session, user, client_id)
    lang = language or client.profile_language
    if lang not in profile_languages(session, client.profile_language):
        raise ValidationError("There are no ESCO labels in the language %(lang)s.", lang=lang)
    skills = [s for s in client.skills if s.removed_at is None]
    wished = [w.occupation_uri for w in client.wishes if w.occupation_uri]
    groups = skill_groups(session, [s.skill_uri for s in skills])
    names = name_concepts(session, {s.skill_uri for s in skills} | set(groups.values()), lang)
    names |= name_concepts(session, wished, lang)
    sections: dict[str | None, list[DocumentSkill]] = {}
    for skill in skills:
        label, label_lang = names.get(skill.skill_uri, (skill.skill_uri, "en"))
        entry = DocumentSkill(skill.skill_uri, label, label_lang, skill.level, skill.informal)
        sections.setdefault(groups.get(skill.skill_uri), []).append(entry)
    return ProfileDocument(
        code=client.code,
        name=client.first_name or client.code,
        language=lang,
        own_language=client.profile_language,
        skill_groups=_sections(sections, names),
        languages=sorted(
            (DocumentLanguage(cl.language, cl.level) for cl in client.languages),
            key=lambda dl: (CEFR_ORDER[dl.level], dl.language),
        ),
        occupations=[DocumentOccupation(uri, *names[uri]) for uri in wished if uri in names],
        sectors=[w.sector for w in client.wishes if w.sector],
    )


def profile_languages(session: Session, own_language: str) -> list[str]:
    """Languages a profile can be made in: ESCO's loaded ones, those with headings, the client's."""
    # The newest import counted its languages; reading them there spares a scan of every label.
    newest = session.scalar(select(EscoImport).order_by(EscoImport.id.desc()).limit(1))
    loaded = set(newest.languages) if newest else set()
    if not loaded:
        loaded = set(session.scalars(select(Label.lang).distinct()))
    codes = {code for code in loaded if LANGUAGE_CODE.match(code)}
    return sorted(codes | set(LANGUAGES) | {own_language})


def _sections(
    sections: dict[str | None, list[DocumentSkill]], names: dict[str, tuple[str, str]]
) -> list[SkillGroupSection]:
    result = [
        SkillGroupSection(
            uri,
            *(names.get(uri, ("", "en")) if uri else ("", "en")),
            sorted(skills, key=lambda s: s.label.casefold()),
        )
        for uri, skills in sections.items()
    ]
    # Named groups alphabetically; skills without a known group last.
    return sorted(result, key=lambda g: (g.uri is None, g.label.casefold()))
