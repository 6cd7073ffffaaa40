"""The profile a client keeps: what they can do, the languages they speak, the work they want.

The document is the client's own, to take to an employer or a course without Fairmatch, so it
is built from an allow-list: the name (or the code), skills, languages and wishes. Notes, safety
limits, permit and work dates, consent, the organisation and the coach are never read here, so
nothing about the client's past can leak into it by a later change to the page or the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import LANGUAGES, User
from matcher.errors import ValidationError
from matcher.profiles.access import view_client
from matcher.profiles.models import Cefr, SkillLevel
from matcher.skills.models import Broader, Concept, ConceptKind, EscoImport, Label
from matcher.skills.services import name_concepts

# How far up the ESCO skill hierarchy to look for a skill group: ESCO's pillar is four deep.
GROUP_SEARCH_DEPTH = 6
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
    groups = _skill_groups(session, [s.skill_uri for s in skills])
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


def _skill_groups(session: Session, skill_uris: Iterable[str]) -> dict[str, str]:
    """skill URI → its nearest ESCO skill group, else its first broader concept."""
    uris = list(skill_uris)
    if not uris:
        return {}
    ids = dict(session.execute(select(Concept.uri, Concept.id).where(Concept.uri.in_(uris))).all())
    ancestors = _ancestors(session, set(ids.values()))
    groups: dict[str, str] = {}
    for uri, concept_id in ids.items():
        levels = ancestors.get(concept_id, [])
        in_groups = [
            sorted(u for u, kind in level if kind == ConceptKind.SKILL_GROUP) for level in levels
        ]
        nearest = next((found[0] for found in in_groups if found), None)
        if nearest is None and levels:
            nearest = sorted(u for u, _ in levels[0])[0]
        if nearest is not None:
            groups[uri] = nearest
    return groups


def _ancestors(
    session: Session, concept_ids: set[int]
) -> dict[int, list[set[tuple[str, ConceptKind]]]]:
    """For each concept: its broader concepts level by level, as (uri, kind), nearest first."""
    frontier = {cid: {cid} for cid in concept_ids}
    result: dict[int, list[set[tuple[str, ConceptKind]]]] = {cid: [] for cid in concept_ids}
    for _ in range(GROUP_SEARCH_DEPTH):
        reached = set().union(*frontier.values()) if frontier else set()
        if not reached:
            break
        rows = session.execute(
            select(Broader.concept_id, Concept.id, Concept.uri, Concept.kind)
            .join(Concept, Concept.id == Broader.broader_id)
            .where(Broader.concept_id.in_(reached))
        ).all()
        up: dict[int, set[tuple[int, str, ConceptKind]]] = {}
        for child, parent_id, uri, kind in rows:
            up.setdefault(child, set()).add((parent_id, uri, kind))
        next_frontier = {}
        for cid, current in frontier.items():
            parents = set().union(*(up.get(c, set()) for c in current))
            if parents:
                result[cid].append({(uri, kind) for _, uri, kind in parents})
                next_frontier[cid] = {pid for pid, _, _ in parents}
        frontier = next_frontier
    return result
