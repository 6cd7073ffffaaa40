"""A client's skills: added by typing, from an occupation or from intake notes; changed, removed.

The coach always confirms: suggestions are computed and shown, never saved. Intake notes are
never stored (they may hold sensitive details); a confirmed skill keeps only the words of the
notes it was found in. A skill is on a profile once: adding a removed one brings it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.db import first_writer_wins, utcnow
from matcher.errors import N_, InvalidTransition, NotFound, ValidationError
from matcher.profiles.access import change_client, view_client
from matcher.profiles.models import NOTES_MAX, Client, ClientSkill, SkillLevel, SkillSource
from matcher.profiles.skill_lists import active_uris
from matcher.profiles.skill_lists import (
    list_client_skills as list_client_skills,  # one place to look
)
from matcher.skills.extract import extract_skills
from matcher.skills.models import Concept, ConceptKind, Label
from matcher.skills.services import list_occupation_skills, name_concepts
from matcher.skills.text import content_words, normalize

CHANGED_MEANWHILE = N_(
    "Someone else changed this client's record at the same time. Look at the skills and try again."
)
SUGGESTIONS = 10
# Extraction scores every skill a little; below this a suggestion is noise to a coach.
MIN_SUGGESTION_SCORE = 0.05
# A word of the notes "is" a word of a label at this rapidfuzz ratio (typos, inflections).
WORD_SIMILARITY = 80
DETAIL_MAX = 500


@dataclass(frozen=True)
class Suggestion:
    """A skill extraction found in the notes; nothing is saved until the coach confirms it."""

    uri: str
    label: str
    score: float
    words: str  # the words of the notes it came from
    present: bool  # already on the profile


def add_skill(
    session: Session,
    coach: User,
    client_id: int,
    skill_uri: str,
    source: SkillSource,
    *,
    level: SkillLevel,
    informal: bool,
    source_detail: str = "",
) -> ClientSkill:
    """Add one skill the coach confirmed with the client, or bring back the same one removed."""
    with first_writer_wins(CHANGED_MEANWHILE):
        client = change_client(session, coach, client_id, "add_skill", skill=skill_uri)
        _require_skills(session, [skill_uri])
        rows = _rows_by_uri(session, client.id)
        if skill_uri in rows and rows[skill_uri].removed_at is None:
            raise ValidationError("This skill is already on the client's profile.")
        skill = _put(
            session, coach, client, rows, skill_uri, source, source_detail, level, informal
        )
        session.flush()
    return skill


def add_skills_from_occupation(
    session: Session,
    coach: User,
    client_id: int,
    occupation_uri: str,
    skill_uris: list[str],
    level: SkillLevel,
    informal: bool,
) -> list[ClientSkill]:
    """Add the skills ticked from an occupation the client has done; present ones stay."""
    with first_writer_wins(CHANGED_MEANWHILE):
        client = change_client(
            session, coach, client_id, "add_skills", source="occupation", skills=skill_uris
        )
        if not skill_uris:
            raise ValidationError("Tick at least one skill.")
        allowed = {skill.uri for skill in list_occupation_skills(session, occupation_uri, "en")}
        for uri in skill_uris:
            if uri not in allowed:
                raise ValidationError("%(uri)s is not a skill of this occupation.", uri=uri)
        ticked = [(uri, occupation_uri) for uri in skill_uris]
        added = _put_many(session, coach, client, ticked, SkillSource.OCCUPATION, level, informal)
    return added


def suggest_skills_from_notes(
    session: Session, coach: User, client_id: int, notes: str, language: str
) -> list[Suggestion]:
    """Skills the intake notes (in `language`) mention, in the coach's language; nothing saved."""
    client = view_client(session, coach, client_id)
    if len(notes) > NOTES_MAX:
        raise ValidationError("The notes may be at most %(max)d characters long.", max=NOTES_MAX)
    found = [
        skill
        for skill in extract_skills(session, notes, lang=language, top=SUGGESTIONS)
        if skill.score >= MIN_SUGGESTION_SCORE
    ]
    uris = [skill.uri for skill in found]
    names = name_concepts(session, uris, coach.language)
    labels = _all_labels(session, uris)
    present = active_uris(client)
    return [
        Suggestion(
            uri=skill.uri,
            label=names.get(skill.uri, (skill.label, ""))[0],
            score=skill.score,
            words=words_found_in(notes, labels.get(skill.uri, [])),
            present=skill.uri in present,
        )
        for skill in found
    ]


def add_skills_from_notes(
    session: Session,
    coach: User,
    client_id: int,
    chosen: list[tuple[str, str]],
    level: SkillLevel,
    informal: bool,
) -> list[ClientSkill]:
    """Add the suggested skills the coach ticked, each with the words of the notes it came from."""
    with first_writer_wins(CHANGED_MEANWHILE):
        uris = [uri for uri, _ in chosen]
        client = change_client(session, coach, client_id, "add_skills", source="notes", skills=uris)
        if not chosen:
            raise ValidationError("Tick at least one skill.")
        if any(len(words) > DETAIL_MAX for _, words in chosen):
            raise ValidationError("The words of a suggestion are too long.")
        _require_skills(session, uris)
        added = _put_many(session, coach, client, chosen, SkillSource.NOTES, level, informal)
    return added


def update_skill(
    session: Session,
    coach: User,
    client_id: int,
    client_skill_id: int,
    level: SkillLevel,
    informal: bool,
) -> ClientSkill:
    """Change how well the client masters a skill and whether it was gained informally."""
    with first_writer_wins(CHANGED_MEANWHILE):
        client = change_client(
            session, coach, client_id, "update_skill", client_skill=client_skill_id
        )
        skill = _client_skill(session, client, client_skill_id)
        if skill.removed_at is not None:
            raise InvalidTransition("This skill has been removed. Restore it first.")
        skill.level, skill.informal = level, informal
        session.flush()
    return skill


def remove_skill(
    session: Session, coach: User, client_id: int, client_skill_id: int
) -> ClientSkill:
    """Take a skill off the profile; it stays listed under the removed skills to restore."""
    with first_writer_wins(CHANGED_MEANWHILE):
        client = change_client(
            session, coach, client_id, "remove_skill", client_skill=client_skill_id
        )
        skill = _client_skill(session, client, client_skill_id)
        if skill.removed_at is not None:
            raise InvalidTransition("This skill has already been removed.")
        skill.removed_at, skill.removed_by_id = utcnow(), coach.id
        session.flush()
    return skill


def restore_skill(
    session: Session, coach: User, client_id: int, client_skill_id: int
) -> ClientSkill:
    """Put a removed skill back on the profile, unless the same skill is on it again already."""
    with first_writer_wins(CHANGED_MEANWHILE):
        client = change_client(
            session, coach, client_id, "restore_skill", client_skill=client_skill_id
        )
        skill = _client_skill(session, client, client_skill_id)
        if skill.removed_at is None:
            raise InvalidTransition("This skill is on the profile already.")
        if skill.skill_uri in active_uris(client):
            raise InvalidTransition("This skill has been added to the profile again meanwhile.")
        skill.removed_at = skill.removed_by_id = None
        session.flush()
    return skill


def words_found_in(notes: str, labels: list[str]) -> str:
    """The words of the notes that match words of a skill's labels, in the notes' order."""
    label_words = {word for label in labels for word in content_words(label)}
    if not label_words:
        return ""
    found: dict[str, None] = {}
    for word in re.findall(r"\w+", notes):
        folded = normalize(word)
        if len(folded) > 1 and any(_same_word(folded, other) for other in label_words):
            found.setdefault(word, None)
    return " ".join(found)[:DETAIL_MAX]


def _same_word(a: str, b: str) -> bool:
    # Inflections share a long start ("schoonmaak", "schoonmaken"); typos keep a high ratio.
    return (
        a == b
        or fuzz.ratio(a, b) >= WORD_SIMILARITY
        or (min(len(a), len(b)) >= 5 and a[:5] == b[:5])
    )


def _require_skills(session: Session, uris: list[str]) -> None:
    known = set(
        session.scalars(
            select(Concept.uri).where(Concept.uri.in_(uris), Concept.kind == ConceptKind.SKILL)
        )
    )
    for uri in uris:
        if uri not in known:
            raise ValidationError("No ESCO skill with URI %(uri)s.", uri=uri)


def _rows_by_uri(session: Session, client_id: int) -> dict[str, ClientSkill]:
    """The newest row of each skill of a client: the active one, else the last removed."""
    rows = session.scalars(
        select(ClientSkill).where(ClientSkill.client_id == client_id).order_by(ClientSkill.id)
    )
    by_uri: dict[str, ClientSkill] = {}
    for row in rows:
        if by_uri.get(row.skill_uri) is None or by_uri[row.skill_uri].removed_at is not None:
            by_uri[row.skill_uri] = row
    return by_uri


def _put(
    session: Session,
    coach: User,
    client: Client,
    rows: dict[str, ClientSkill],
    uri: str,
    source: SkillSource,
    detail: str,
    level: SkillLevel,
    informal: bool,
) -> ClientSkill:
    """Restore the removed row of a skill with the coach's new choices, or add a new row."""
    skill = rows.get(uri)
    if skill is not None:
        skill.removed_at = skill.removed_by_id = None
        skill.level, skill.informal = level, informal
        return skill
    skill = ClientSkill(
        client=client,
        skill_uri=uri,
        source=source,
        source_detail=detail,
        level=level,
        informal=informal,
        added_by_id=coach.id,
    )
    session.add(skill)
    rows[uri] = skill
    return skill


def _put_many(
    session: Session,
    coach: User,
    client: Client,
    chosen: list[tuple[str, str]],
    source: SkillSource,
    level: SkillLevel,
    informal: bool,
) -> list[ClientSkill]:
    rows = _rows_by_uri(session, client.id)
    added = []
    for uri, detail in chosen:
        if uri in rows and rows[uri].removed_at is None:
            continue  # already on the profile: the coach's earlier choices stand
        added.append(_put(session, coach, client, rows, uri, source, detail, level, informal))
    session.flush()
    return added


def _client_skill(session: Session, client: Client, client_skill_id: int) -> ClientSkill:
    skill = session.get(ClientSkill, client_skill_id)
    if skill is None or skill.client_id != client.id:
        raise NotFound("No skill %(id)s on this client's profile.", id=client_skill_id)
    return skill


def _all_labels(session: Session, uris: list[str]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for uri, english in session.execute(
        select(Concept.uri, Concept.preferred_label).where(Concept.uri.in_(uris))
    ):
        labels.setdefault(uri, []).append(english)
    for uri, text in session.execute(
        select(Concept.uri, Label.text)
        .join(Label, Label.concept_id == Concept.id)
        .where(Concept.uri.in_(uris))
    ):
        labels[uri].append(text)
    return labels
