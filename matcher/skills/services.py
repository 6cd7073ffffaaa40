"""Use cases of reading ESCO: a concept's page, an occupation's skills, a skill's occupations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from matcher.errors import NotFound
from matcher.skills.models import (
    Broader,
    Concept,
    ConceptKind,
    Label,
    LabelKind,
    OccupationSkill,
    RelationType,
)

# Label kinds in the order a reader wants them.
LABEL_KIND_ORDER = (LabelKind.PREFERRED, LabelKind.ALTERNATIVE, LabelKind.HIDDEN)


@dataclass(frozen=True)
class ConceptRef:
    """A link to a concept, named in the reader's language."""

    uri: str
    kind: str
    label: str


@dataclass(frozen=True)
class RelatedConcept(ConceptRef):
    """A concept reached through an occupation–skill relation."""

    relation: str  # essential | optional


@dataclass
class ConceptDetail:
    uri: str
    kind: str
    label: str
    description: str
    # lang → label kind → texts; languages sorted, the reader's own first.
    labels: dict[str, dict[str, list[str]]]
    broader: list[ConceptRef]
    narrower: list[ConceptRef]
    # For an occupation: its skills; for a skill: the occupations that need it.
    related: list[RelatedConcept] = field(default_factory=list)

    def related_by(self, relation: str) -> list[RelatedConcept]:
        return [r for r in self.related if r.relation == relation]


def get_concept_detail(session: Session, uri: str, lang: str) -> ConceptDetail:
    """Everything the explorer shows about one concept, named in the reader's language."""
    concept = _load_concept(session, uri)
    labels = session.scalars(select(Label).where(Label.concept_id == concept.id)).all()
    broader = _named_concepts(lang).join(Broader, Broader.broader_id == Concept.id)
    narrower = _named_concepts(lang).join(Broader, Broader.concept_id == Concept.id)
    if concept.kind == ConceptKind.OCCUPATION:
        related = list_occupation_skills(session, concept.uri, lang)
    elif concept.kind == ConceptKind.SKILL:
        related = list_skill_occupations(session, concept.uri, lang)
    else:
        related = []
    return ConceptDetail(
        uri=concept.uri,
        kind=concept.kind.value,
        label=_preferred_in(labels, lang) or concept.preferred_label,
        description=concept.description,
        labels=_group_labels(labels, lang, concept.preferred_label),
        broader=_refs(session, broader.where(Broader.concept_id == concept.id)),
        narrower=_refs(session, narrower.where(Broader.broader_id == concept.id)),
        related=related,
    )


def list_occupation_skills(
    session: Session, occupation_uri: str, lang: str
) -> list[RelatedConcept]:
    """An occupation's ESCO skills, essential first, each named in the reader's language."""
    occupation = _load_concept(session, occupation_uri, ConceptKind.OCCUPATION)
    query = (
        _named_concepts(lang)
        .add_columns(OccupationSkill.relation_type)
        .join(OccupationSkill, OccupationSkill.skill_id == Concept.id)
        .where(OccupationSkill.occupation_id == occupation.id)
    )
    return _related(session, query)


def list_skill_occupations(session: Session, skill_uri: str, lang: str) -> list[RelatedConcept]:
    """The occupations that need a skill, essential first, named in the reader's language."""
    skill = _load_concept(session, skill_uri, ConceptKind.SKILL)
    query = (
        _named_concepts(lang)
        .add_columns(OccupationSkill.relation_type)
        .join(OccupationSkill, OccupationSkill.occupation_id == Concept.id)
        .where(OccupationSkill.skill_id == skill.id)
    )
    return _related(session, query)


def name_concepts(session: Session, uris: Iterable[str], lang: str) -> dict[str, tuple[str, str]]:
    """Each concept's name in the reader's language, English when missing: uri → (label, lang)."""
    translated = aliased(Label)
    rows = session.execute(
        select(Concept.uri, translated.text, Concept.preferred_label)
        .outerjoin(
            translated,
            (translated.concept_id == Concept.id)
            & (translated.lang == lang)
            & (translated.kind == LabelKind.PREFERRED),
        )
        .where(Concept.uri.in_(list(uris)))
    )
    return {uri: (text, lang) if text else (english, "en") for uri, text, english in rows}


def _load_concept(session: Session, uri: str, kind: ConceptKind | None = None) -> Concept:
    query = select(Concept).where(Concept.uri == uri)
    if kind is not None:
        query = query.where(Concept.kind == kind)
    concept = session.scalar(query)
    if concept is None:
        what = kind.value.replace("_", " ") if kind else "ESCO concept"
        raise NotFound("No %(what)s with URI %(uri)r.", what=what, uri=uri)
    return concept


def _named_concepts(lang: str) -> Select:
    """Concepts with their name in lang, falling back to the English preferred label."""
    translated = aliased(Label)
    return select(
        Concept.uri,
        Concept.kind,
        func.coalesce(translated.text, Concept.preferred_label).label("name"),
    ).outerjoin(
        translated,
        (translated.concept_id == Concept.id)
        & (translated.lang == lang)
        & (translated.kind == LabelKind.PREFERRED),
    )


def _refs(session: Session, query: Select) -> list[ConceptRef]:
    refs = [ConceptRef(row.uri, row.kind.value, row.name) for row in session.execute(query)]
    return sorted(refs, key=lambda r: r.label.casefold())


def _related(session: Session, query: Select) -> list[RelatedConcept]:
    related = [
        RelatedConcept(row.uri, row.kind.value, row.name, row.relation_type.value)
        for row in session.execute(query)
    ]
    essential_first = {RelationType.ESSENTIAL.value: 0, RelationType.OPTIONAL.value: 1}
    return sorted(related, key=lambda r: (essential_first[r.relation], r.label.casefold()))


def _preferred_in(labels: Iterable[Label], lang: str) -> str | None:
    for label in labels:
        if label.lang == lang and label.kind == LabelKind.PREFERRED:
            return label.text
    return None


def _group_labels(
    labels: Iterable[Label], lang: str, english_preferred: str
) -> dict[str, dict[str, list[str]]]:
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for label in labels:
        grouped[label.lang][label.kind.value].append(label.text)
    # The English preferred label is always on the concept row, not always among its labels.
    if not grouped["en"][LabelKind.PREFERRED.value]:
        grouped["en"][LabelKind.PREFERRED.value].append(english_preferred)
    languages = sorted(grouped, key=lambda code: (code != lang, code != "en", code))
    return {
        code: {
            kind.value: sorted(grouped[code][kind.value], key=str.casefold)
            for kind in LABEL_KIND_ORDER
            if grouped[code][kind.value]
        }
        for code in languages
    }
