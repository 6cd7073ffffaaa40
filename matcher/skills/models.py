"""ESCO tables: skills, occupations, ISCO groups, skill groups, labels, relations, imports.

Every ESCO concept has one row in ``esco_concept`` (joined-table inheritance), so that labels
and broader/narrower links can point at any kind of concept with a real foreign key.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.db import Base, str_enum, utcnow


class ConceptKind(enum.StrEnum):
    SKILL = "skill"
    OCCUPATION = "occupation"
    ISCO_GROUP = "isco_group"
    SKILL_GROUP = "skill_group"


class LabelKind(enum.StrEnum):
    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"


class RelationType(enum.StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"


class Concept(Base):
    __tablename__ = "esco_concept"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[ConceptKind] = mapped_column(str_enum(ConceptKind))
    # English preferred label, kept here because every page and log line needs a name.
    preferred_label: Mapped[str] = mapped_column(String(512))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="released")

    labels: Mapped[list[Label]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "concept"}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri} {self.preferred_label!r}>"


class IscoGroup(Concept):
    __tablename__ = "esco_isco_group"

    id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), unique=True)

    __mapper_args__ = {"polymorphic_identity": ConceptKind.ISCO_GROUP}


class SkillGroup(Concept):
    __tablename__ = "esco_skill_group"

    id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), default="")

    __mapper_args__ = {"polymorphic_identity": ConceptKind.SKILL_GROUP}


class Skill(Concept):
    __tablename__ = "esco_skill"

    id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True
    )
    skill_type: Mapped[str] = mapped_column(String(32), default="")  # skill/competence | knowledge
    reuse_level: Mapped[str] = mapped_column(
        String(32), default=""
    )  # transversal ... occupation-specific

    __mapper_args__ = {"polymorphic_identity": ConceptKind.SKILL}


class Occupation(Concept):
    __tablename__ = "esco_occupation"

    id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), default="")  # ESCO code, e.g. 2654.1.7
    isco_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("esco_isco_group.id", ondelete="SET NULL"), index=True
    )

    isco_group: Mapped[IscoGroup | None] = relationship(foreign_keys=[isco_group_id])

    __mapper_args__ = {"polymorphic_identity": ConceptKind.OCCUPATION}


class Label(Base):
    """One label of a concept in one language: preferred, alternative or hidden."""

    __tablename__ = "esco_label"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("esco_concept.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    kind: Mapped[LabelKind] = mapped_column(str_enum(LabelKind))
    text: Mapped[str] = mapped_column(String(1024))

    concept: Mapped[Concept] = relationship(back_populates="labels")

    __table_args__ = (
        UniqueConstraint("concept_id", "lang", "kind", "text"),
        Index("ix_esco_label_lang", "lang"),
    )


class Broader(Base):
    """concept → its broader concept (skill hierarchy, skill groups, occupation pillar, ISCO)."""

    __tablename__ = "esco_broader"

    concept_id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True
    )
    broader_id: Mapped[int] = mapped_column(
        ForeignKey("esco_concept.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SkillRelation(Base):
    """skill → related skill (ESCO skillSkillRelations: essential or optional)."""

    __tablename__ = "esco_skill_relation"

    skill_id: Mapped[int] = mapped_column(
        ForeignKey("esco_skill.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("esco_skill.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation_type: Mapped[RelationType] = mapped_column(str_enum(RelationType))


class OccupationSkill(Base):
    """occupation → skill, essential or optional (ESCO occupationSkillRelations)."""

    __tablename__ = "esco_occupation_skill"

    occupation_id: Mapped[int] = mapped_column(
        ForeignKey("esco_occupation.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("esco_skill.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation_type: Mapped[RelationType] = mapped_column(str_enum(RelationType))

    occupation: Mapped[Occupation] = relationship(foreign_keys=[occupation_id])
    skill: Mapped[Skill] = relationship(foreign_keys=[skill_id])


class EscoImport(Base):
    """One row per import that changed the data, written in the import's own transaction.

    The newest id is the data version: search indexes in other processes rebuild when it moves.
    """

    __tablename__ = "esco_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    esco_version: Mapped[str] = mapped_column(String(32))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(Text, default="")
    checksum: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
