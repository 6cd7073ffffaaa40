"""Search ESCO skills and occupations by label: services and the per-process cached index."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.skills.index import KINDS, ConceptData, IndexData, LabelIndex
from matcher.skills.models import (
    Concept,
    ConceptKind,
    EscoImport,
    Label,
    LabelKind,
    OccupationSkill,
    RelationType,
)

# How long a process trusts its index before asking the database for the data version again.
VERSION_CHECK_SECONDS = 2.0
# Batch mapping of a title in one language still learns from the labels of the others
# (cognates, untranslated technical words), at this fraction of their score.
MAP_OTHER_LANGUAGES = 0.8
# ... and English titles also match the concepts' descriptions by word, with this weight.
MAP_DESCRIPTIONS = 0.4


@dataclass(frozen=True)
class SearchHit:
    uri: str
    kind: str
    label: str  # preferred label in the asked language, English when missing
    lang: str  # language of `label`
    matched_label: str
    matched_lang: str
    score: float  # 0..1


def data_version(session: Session) -> int:
    """The newest ESCO import id: indexes rebuild when it moves."""
    return session.scalar(select(func.max(EscoImport.id))) or 0


def load_index_data(session: Session) -> IndexData:
    """Read what the label index needs (concepts, labels, ESCO usage) from the database."""
    kinds = (ConceptKind.SKILL, ConceptKind.OCCUPATION)
    # Version first: an import committing meanwhile then only causes one more rebuild.
    version = data_version(session)
    essential = dict(
        session.execute(
            select(OccupationSkill.skill_id, func.count())
            .where(OccupationSkill.relation_type == RelationType.ESSENTIAL)
            .group_by(OccupationSkill.skill_id)
        ).all()
    )
    rows = session.execute(
        select(Concept.id, Concept.uri, Concept.kind, Concept.preferred_label, Concept.description)
        .where(Concept.kind.in_(kinds))
        .order_by(Concept.id)
    )
    position: dict[int, int] = {}
    concepts: list[ConceptData] = []
    labels: list[tuple[int, str, str, str]] = []
    for cid, uri, kind, label, description in rows:
        position[cid] = len(concepts)
        concepts.append(
            ConceptData(uri, str(kind), label, description or "", essential.get(cid, 0))
        )
        # The English preferred label may live only on the concept row.
        labels.append((position[cid], "en", "preferred", label))
    label_rows = session.execute(
        select(Label.concept_id, Label.lang, Label.kind, Label.text)
        .join(Concept, Concept.id == Label.concept_id)
        .where(Concept.kind.in_(kinds))
    )
    preferred = LabelKind.PREFERRED
    for cid, lang, kind, text in label_rows:
        labels.append((position[cid], lang, "preferred" if kind == preferred else "other", text))
    return IndexData(concepts, labels, version)


class _IndexCache:
    """One index per database per process, rebuilt when the data version moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[LabelIndex, float]] = {}

    def get(self, session: Session) -> LabelIndex:
        key = session.get_bind().engine.url.render_as_string(hide_password=True)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry and now - entry[1] < VERSION_CHECK_SECONDS:
            return entry[0]
        version = data_version(session)
        if entry and entry[0].version == version:
            self._entries[key] = (entry[0], now)
            return entry[0]
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0].version != version:
                entry = (LabelIndex(load_index_data(session)), now)
                self._entries[key] = entry
            return entry[0]

    def clear(self) -> None:
        self._entries.clear()


_cache = _IndexCache()


def get_index(session: Session) -> LabelIndex:
    """The process's label index for this database, built on first use."""
    return _cache.get(session)


def clear_index_cache() -> None:
    """Forget every cached index (tests, or after data changed without a new import row)."""
    _cache.clear()


def available_languages(session: Session) -> list[str]:
    """Languages that have labels in the loaded ESCO data."""
    return list(get_index(session).languages)


def hits_from_index(
    index: LabelIndex,
    q: str,
    *,
    kind: str | None = None,
    lang: str | None = None,
    limit: int = 10,
    other_languages: float = 0.0,
    descriptions: float = 0.0,
) -> list[SearchHit]:
    """Search a built index: distinct concepts, best first (see `search_concepts`)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if not q.strip() or limit <= 0:
        return []
    found = []
    for k in [kind] if kind else KINDS:
        hits = index.search(
            q, k, lang, limit, other_languages=other_languages, descriptions=descriptions
        )
        found.extend((k, hit) for hit in hits)
    found.sort(key=lambda kh: -kh[1].score)
    hits = []
    for k, hit in found[:limit]:
        label, label_lang = index.display_label(hit.concept, lang)
        matched, matched_lang = index.matched_label(k, hit.label)
        concept = index.concepts[hit.concept]
        hits.append(
            SearchHit(concept.uri, k, label, label_lang, matched, matched_lang, round(hit.score, 4))
        )
    return hits


def search_concepts(
    session: Session,
    q: str,
    *,
    kind: str | None = None,
    lang: str | None = None,
    limit: int = 10,
    other_languages: float = 0.0,
    descriptions: float = 0.0,
) -> list[SearchHit]:
    """Type-ahead search of ESCO skills and occupations by any label in any loaded language.

    `lang` restricts the labels matched and sets the display language; with `other_languages`
    > 0 (batch mapping) labels of other languages count too, at that fraction of their score;
    with `descriptions` > 0 English queries also match concept descriptions, with that weight.
    """
    index = get_index(session)
    return hits_from_index(
        index,
        q,
        kind=kind,
        lang=lang,
        limit=limit,
        other_languages=other_languages,
        descriptions=descriptions,
    )
