"""Counters that tell the ranking index and the re-ranking job what changed.

Every change that can alter a ranking bumps one: ``vacancies`` (a vacancy saved, published or
closed), ``employers`` (a vetting status), ``clients`` (a profile, limit or consent: counted at
commit by matcher/profiles/models.py for whatever changed them). In-memory indexes and the kept
client facts compare the counters they were built from; the scheduler re-ranks on change.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.db import utcnow
from matcher.matching.models import MatchingState

VACANCIES, EMPLOYERS, CLIENTS = "vacancies", "employers", "clients"


def bump(session: Session, name: str) -> None:
    """Count one change of this kind, in the caller's transaction."""
    changed = session.execute(
        update(MatchingState)
        .where(MatchingState.name == name)
        .values(version=MatchingState.version + 1, changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount:
        return
    try:
        # The first change of its kind; a concurrent first insert makes ours fail, then update.
        with session.begin_nested():
            session.add(MatchingState(name=name, version=1, changed_at=utcnow()))
    except IntegrityError:
        bump(session, name)


def versions(session: Session) -> dict[str, int]:
    """Every counter's current value; a kind never changed counts 0."""
    found = dict(session.execute(select(MatchingState.name, MatchingState.version)).all())
    return {name: found.get(name, 0) for name in (VACANCIES, EMPLOYERS, CLIENTS)}
