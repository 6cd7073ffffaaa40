"""What the ranker needs from ESCO, read from the configured database.

The same shapes as the bench reads from the CSV package (bench/matching.py), so the app, the
offline ranking and the evaluation use one model on one kind of input.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matcher.skills.models import (
    Broader,
    Concept,
    ConceptKind,
    IscoGroup,
    Occupation,
    OccupationSkill,
    RelationType,
)


def load_related_skills(session: Session) -> dict[str, list[str]]:
    """Each skill's broader, narrower and sibling skills (skill-to-skill links only).

    A skill group is a heading, not something a client can name, so only links between two
    skills count; siblings are skills under one broader skill.
    """
    child, parent = aliased(Concept), aliased(Concept)
    rows = session.execute(
        select(child.uri, parent.uri)
        .join(Broader, Broader.concept_id == child.id)
        .join(parent, parent.id == Broader.broader_id)
        .where(child.kind == ConceptKind.SKILL, parent.kind == ConceptKind.SKILL)
    )
    children: dict[str, set[str]] = {}
    for narrower, broader in rows:
        children.setdefault(broader, set()).add(narrower)
    related: dict[str, set[str]] = {}
    for broader, narrower in children.items():
        related.setdefault(broader, set()).update(narrower)
        for skill in narrower:
            related.setdefault(skill, set()).update(narrower | {broader})
    return {s: sorted(r - {s}) for s, r in sorted(related.items()) if r - {s}}


def load_occupation_skills(session: Session) -> dict[str, tuple[set[str], set[str]]]:
    """Each occupation's essential and optional skills, by URI."""
    occupation, skill = aliased(Concept), aliased(Concept)
    rows = session.execute(
        select(occupation.uri, skill.uri, OccupationSkill.relation_type)
        .join(OccupationSkill, OccupationSkill.occupation_id == occupation.id)
        .join(skill, skill.id == OccupationSkill.skill_id)
    )
    found: dict[str, tuple[set[str], set[str]]] = {}
    for occupation_uri, skill_uri, relation in rows:
        essential, optional = found.setdefault(occupation_uri, (set(), set()))
        (essential if relation == RelationType.ESSENTIAL else optional).add(skill_uri)
    return found


def load_isco_groups(session: Session) -> dict[str, str]:
    """Each occupation's ISCO unit group code (four digits), where ESCO gives one."""
    # Both are joined-table subclasses of one concept table, so the group needs its own alias.
    group = aliased(IscoGroup, flat=True)
    rows = session.execute(
        select(Occupation.uri, group.code).join(group, group.id == Occupation.isco_group_id)
    )
    return dict(rows.all())
