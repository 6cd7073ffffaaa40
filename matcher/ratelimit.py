"""A fixed-window rate limit kept in the database, so every web worker sees the same counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from matcher.db import Base, utcnow


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_rate_limit_hit_key_at", "key", "at"),)


def allow_hit(
    session: Session, key: str, *, limit: int, window_seconds: int, now: datetime | None = None
) -> bool:
    """Count one hit on key and say whether it is within limit hits per window."""
    now = now or utcnow()
    since = now - timedelta(seconds=window_seconds)
    # Old hits of this key are never needed again; dropping them keeps the table small.
    session.execute(delete(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.at < since))
    recent = session.scalar(
        select(func.count()).where(RateLimitHit.key == key, RateLimitHit.at >= since)
    )
    if recent >= limit:
        return False
    session.add(RateLimitHit(key=key, at=now))
    session.flush()
    return True
