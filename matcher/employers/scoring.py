"""Scoring answers to the fair-employer checklist, and how long an approval lasts."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from matcher.employers.checklist import Checklist, ScoringRules
from matcher.errors import ValidationError


class Outcome(enum.StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    # A knock-out item is unanswered: the employer cannot be approved yet (§3.1 "on hold").
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class ChecklistScore:
    checklist_version: str
    knock_outs: tuple[str, ...]
    missing: tuple[str, ...]
    missing_knock_outs: tuple[str, ...]
    failed: tuple[str, ...]
    serious_failures: tuple[str, ...]
    score: float
    outcome: Outcome

    @property
    def passed(self) -> bool:
        """Whether the document's rules allow approval (with or without conditions)."""
        return self.outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_CONDITIONS)


def score_answers(
    checklist: Checklist,
    answers: Mapping[str, Any],
    scopes: Collection[str] | None = None,
) -> ChecklistScore:
    """Score answers (item id → value) by the document's rules: knock-outs first, then weights."""
    _check_answers(checklist, answers)
    knock_outs: list[str] = []
    missing: list[str] = []
    missing_ko: list[str] = []
    failed: list[str] = []
    serious: list[str] = []
    total = earned = 0.0
    for item in checklist.items:
        if item.routing or not item.applies(scopes):
            continue
        value = answers.get(item.id)
        if value is None:
            missing.append(item.id)
            if item.knock_out:
                missing_ko.append(item.id)
        elif item.knocks_out(value):
            knock_outs.append(item.id)
        if item.weight is None:
            continue
        total += item.weight
        # An unanswered weighted item counts as not passed (§3.1: pending evidence is not a pass).
        if value is not None and item.passes(value):
            earned += item.weight
        else:
            failed.append(item.id)
            if item.weight >= checklist.scoring.serious_weight:
                serious.append(item.id)
    score = round(100 * earned / total, 1) if total else 100.0
    return ChecklistScore(
        checklist_version=checklist.version,
        knock_outs=tuple(knock_outs),
        missing=tuple(missing),
        missing_knock_outs=tuple(missing_ko),
        failed=tuple(failed),
        serious_failures=tuple(serious),
        score=score,
        outcome=_outcome(checklist.scoring, knock_outs, missing_ko, serious, score),
    )


def _check_answers(checklist: Checklist, answers: Mapping[str, Any]) -> None:
    # A mistyped answer ("no" for False) would otherwise slip past a knock-out as a pass.
    ids = {item.id for item in checklist.items}
    for item_id, value in answers.items():
        if item_id not in ids:
            raise ValidationError(
                "Answer to unknown item %(item)r (checklist version %(version)s).",
                item=item_id,
                version=checklist.version,
            )
        item = checklist.item(item_id)
        if value is not None and not item.accepts(value):
            raise ValidationError(
                "Answer to %(item)s: %(value)r is not a valid %(type)s answer.",
                item=item_id,
                value=value,
                type=item.answer_type,
            )


def _outcome(
    rules: ScoringRules,
    knock_outs: list[str],
    missing_ko: list[str],
    serious: list[str],
    score: float,
) -> Outcome:
    if knock_outs:
        return Outcome.REJECTED
    if missing_ko:
        return Outcome.INCOMPLETE
    if score < rules.conditions_min_score:
        return Outcome.REJECTED
    if score < rules.approve_min_score or serious:
        return Outcome.APPROVED_WITH_CONDITIONS
    return Outcome.APPROVED


def add_months(day: date, months: int) -> date:
    """The same day some months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def approval_end_date(checklist: Checklist, decided_on: date, evidence_expiry: list[date]) -> date:
    """The last day of an approval: the earliest evidence expiry or the maximum validity."""
    longest = add_months(decided_on, checklist.max_validity_months)
    return min([longest, *evidence_expiry])
