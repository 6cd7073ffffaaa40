"""The dashboard's figures as plain dataclasses: what build_dashboard returns, no tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from matcher.employers.states import VettingStatus
from matcher.matching.models import RejectReason


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included; UTC."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    def months(self) -> list[str]:
        """Every month the period touches, as 'YYYY-MM', oldest first."""
        year, month, result = self.start.year, self.start.month, []
        while (year, month) <= (self.end.year, self.end.month):
            result.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


@dataclass(frozen=True)
class MonthCount:
    month: str  # 'YYYY-MM'
    count: int


@dataclass(frozen=True)
class ClientFigures:
    new: int  # profiles created in the period
    active: int  # not erased, with activity in the period
    new_per_month: list[MonthCount]


@dataclass(frozen=True)
class ProposalFigures:
    made: int
    approved: int  # by a mediator, in the period
    rejected: int
    rejected_by_reason: list[tuple[RejectReason, int]]  # every reason, most frequent first
    made_per_month: list[MonthCount]


@dataclass(frozen=True)
class FollowUp:
    """Of the hires that started in the period: still working, not, not yet recorded."""

    working: int
    not_working: int
    unknown: int


@dataclass(frozen=True)
class PlacementFigures:
    introductions: int  # approved with consent: the employer saw the card
    interviews: int
    hires: int
    after_3_months: FollowUp
    after_6_months: FollowUp
    median_days_to_hire: float | None  # from the client's first profile to the start date


@dataclass(frozen=True)
class SignalFigures:
    received: int
    closed: int
    median_days_to_feedback: float | None  # of the signals closed in the period


@dataclass(frozen=True)
class PartnerRow:
    organisation_id: int
    name: str
    new_clients: int
    active_clients: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    organisation_id: int | None
    clients: ClientFigures
    proposals: ProposalFigures
    placements: PlacementFigures
    employers_by_status: list[tuple[VettingStatus, int]]  # now, every state
    signals: SignalFigures
    partners: list[PartnerRow]
