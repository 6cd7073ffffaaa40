"""Reading a client's skills: the list by ESCO skill group, an occupation's skills to tick, search.

Every function opens the client through matcher.profiles.access, so each read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.errors import NotFound
from matcher.profiles.access import view_client
from matcher.profiles.models import Client, ClientSkill, SkillLevel, SkillSource
from matcher.skills.models import Broader, Concept, ConceptKind
from matcher.skills.search import search_concepts
from matcher.skills.services import list_occupation_skills, name_concepts

SEARCH_RESULTS = 25
# Skill groups sit a few broader links above a skill; ESCO's pillar is never deeper than this.
MAX_GROUP_DEPTH = 6


@dataclass(frozen=True)
class SkillEntry:
    """One skill on a profile, named in the reader's language."""

    id: int
    uri: str
    label: str
    level: SkillLevel
    informal: bool
    source: SkillSource
    source_detail: str  # the occupation's URI, or the words of the notes
    source_label: str  # the occupation's name, or the words of the notes
    removed_at: datetime | None


@dataclass(frozen=True)
class SkillGroupEntries:
    uri: str | None  # None: skills without a known group ("Other skills")
    label: str
    skills: list[SkillEntry]


@dataclass
class SkillList:
    client: Client
    groups: list[SkillGroupEntries]
    removed: list[SkillEntry]


@dataclass(frozen=True)
class SkillChoice:
    uri: str
    label: str
    present: bool


@dataclass
class OccupationSkills:
    client: Client
    uri: str
    label: str
    essential: list[SkillChoice]
    optional: list[SkillChoice]


@dataclass(frozen=True)
class FoundConcept:
    uri: str
    label: str
    matched_label: str  # the label the words were found in, in any language
    present: bool


@dataclass
class ConceptSearch:
    client: Client
    hits: list[FoundConcept]


def list_client_skills(session: Session, user: User, client_id: int, language: str) -> SkillList:
    """A client's skills by ESCO skill group, named in `language`, and the removed ones."""
    return skill_list_for(session, view_client(session, user, client_id), language)


def skill_list_for(session: Session, client: Client, language: str) -> SkillList:
    """The skill list of a client the caller has already opened (and so audited)."""
    rows = list(client.skills)
    occupations = [r.source_detail for r in rows if r.source == SkillSource.OCCUPATION]
    active = [r for r in rows if r.removed_at is None]
    group_of = skill_groups(session, [r.skill_uri for r in active])
    names = name_concepts(
        session, {r.skill_uri for r in rows} | set(occupations) | set(group_of.values()), language
    )
    grouped: dict[str | None, list[SkillEntry]] = {}
    for row in active:
        grouped.setdefault(group_of.get(row.skill_uri), []).append(_entry(row, names))
    groups = [
        SkillGroupEntries(uri, names[uri][0] if uri in names else "", _by_label(entries))
        for uri, entries in grouped.items()
    ]
    groups.sort(key=lambda g: (g.uri is None, g.label.casefold()))
    # A removed skill that is on the profile again has nothing left to restore.
    gone = {r.skill_uri: r for r in rows if r.removed_at is not None}
    removed = [_entry(r, names) for uri, r in gone.items() if uri not in _uris(active)]
    return SkillList(client, groups, _by_label(removed))


def occupation_skills_for_client(
    session: Session, user: User, client_id: int, occupation_uri: str, language: str
) -> OccupationSkills:
    """An occupation's essential and optional skills to tick, marking those on the profile."""
    client = view_client(session, user, client_id)
    related = list_occupation_skills(session, occupation_uri, language)
    present = active_uris(client)
    label = name_concepts(session, [occupation_uri], language)[occupation_uri][0]
    choices = {
        relation: [
            SkillChoice(r.uri, r.label, r.uri in present) for r in related if r.relation == relation
        ]
        for relation in ("essential", "optional")
    }
    return OccupationSkills(
        client, occupation_uri, label, choices["essential"], choices["optional"]
    )


def search_concepts_for_client(
    session: Session, user: User, client_id: int, query: str, kind: str, language: str
) -> ConceptSearch:
    """ESCO skills or occupations found by words in any language, named in `language`."""
    client = view_client(session, user, client_id)
    hits = search_concepts(session, query, kind=kind, limit=SEARCH_RESULTS)
    names = name_concepts(session, [hit.uri for hit in hits], language)
    present = active_uris(client)
    return ConceptSearch(
        client,
        [
            FoundConcept(
                h.uri, names.get(h.uri, (h.label, ""))[0], h.matched_label, h.uri in present
            )
            for h in hits
        ],
    )


def skill_for_client(
    session: Session, user: User, client_id: int, skill_uri: str, language: str
) -> tuple[Client, FoundConcept]:
    """One ESCO skill picked to add, named in `language`, and whether the client has it."""
    client = view_client(session, user, client_id)
    names = name_concepts(session, [skill_uri], language)
    kind = session.scalar(select(Concept.kind).where(Concept.uri == skill_uri))
    if kind != ConceptKind.SKILL:
        raise NotFound("No skill with URI %(uri)r.", uri=skill_uri)
    label = names[skill_uri][0]
    return client, FoundConcept(skill_uri, label, label, skill_uri in active_uris(client))


def skill_groups(session: Session, uris: list[str]) -> dict[str, str]:
    """Each skill's nearest ESCO skill group (above broader skills if need be), else its broader."""
    ids = dict(session.execute(select(Concept.uri, Concept.id).where(Concept.uri.in_(uris))).all())
    parents: dict[int, list[tuple[int, str, ConceptKind]]] = {}
    todo = set(ids.values())
    for _ in range(MAX_GROUP_DEPTH):
        todo -= parents.keys()
        if not todo:
            break
        rows = session.execute(
            select(Broader.concept_id, Concept.id, Concept.uri, Concept.kind)
            .join(Concept, Concept.id == Broader.broader_id)
            .where(Broader.concept_id.in_(todo))
            .order_by(Concept.uri)
        )
        parents.update((concept_id, []) for concept_id in todo)
        for concept_id, broader_id, broader_uri, kind in rows:
            parents[concept_id].append((broader_id, broader_uri, kind))
        todo = {p[0] for concept_id in todo for p in parents[concept_id]}
    found = {uri: _nearest_group(concept_id, parents) for uri, concept_id in ids.items()}
    return {uri: group for uri, group in found.items() if group is not None}


def _nearest_group(
    concept_id: int, parents: dict[int, list[tuple[int, str, ConceptKind]]]
) -> str | None:
    level = parents.get(concept_id, [])
    direct = level[0][1] if level else None
    seen = {concept_id}
    while level:
        for _, uri, kind in level:
            if kind == ConceptKind.SKILL_GROUP:
                return uri
        seen |= {p[0] for p in level}
        level = [q for p in level for q in parents.get(p[0], []) if q[0] not in seen]
    return direct


def _uris(rows: list[ClientSkill]) -> set[str]:
    return {row.skill_uri for row in rows}


def active_uris(client: Client) -> set[str]:
    return {row.skill_uri for row in client.skills if row.removed_at is None}


def _entry(row: ClientSkill, names: dict[str, tuple[str, str]]) -> SkillEntry:
    detail = row.source_detail
    if row.source == SkillSource.OCCUPATION:
        source_label = names.get(detail, (detail, ""))[0]
    else:
        source_label = detail
    return SkillEntry(
        id=row.id,
        uri=row.skill_uri,
        label=names.get(row.skill_uri, (row.skill_uri, ""))[0],
        level=row.level,
        informal=row.informal,
        source=row.source,
        source_detail=detail,
        source_label=source_label,
        removed_at=row.removed_at,
    )


def _by_label(entries: list[SkillEntry]) -> list[SkillEntry]:
    return sorted(entries, key=lambda e: e.label.casefold())
