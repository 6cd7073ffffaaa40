"""Every scheduled job: its function, its schedule (APScheduler trigger arguments), its lease."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from matcher.jobs import services


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[Session, datetime], dict[str, Any]]
    # Keyword arguments of an APScheduler trigger: {"trigger": "interval", "minutes": 15}.
    schedule: dict[str, Any]
    # Longer than any run: a crashed holder's lease runs out, then the next run takes it.
    lease_seconds: int = 3600


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("rerank_changed", services.rerank_changed, {"trigger": "interval", "minutes": 15}),
        Job(
            "rerank_all",
            services.rerank_all,
            {"trigger": "cron", "hour": 2, "minute": 30},
            lease_seconds=4 * 3600,
        ),
        Job("vetting", services.check_vetting, {"trigger": "cron", "hour": 1, "minute": 0}),
        Job(
            "close_vacancies",
            services.close_vacancies,
            {"trigger": "cron", "hour": 0, "minute": 15},
        ),
        Job("end_consents", services.end_consents, {"trigger": "cron", "hour": 0, "minute": 20}),
        Job("retention", services.apply_retention, {"trigger": "cron", "hour": 3, "minute": 30}),
        Job("send_outbox", services.send_mail, {"trigger": "interval", "minutes": 5}),
    )
}
