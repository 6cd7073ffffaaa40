"""The scheduled jobs, driven by a controllable clock through the recording runner."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.dashboard.services import build_dashboard
from matcher.db import make_engine, make_session_factory, session_scope
from matcher.employers.models import Signal, SignalOutcome, SignalStatus
from matcher.employers.services import may_match_employer
from matcher.employers.states import VettingStatus
from matcher.jobs import services
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import JobRun, RunStatus
from matcher.jobs.runner import run_job, take_lease
from matcher.matching.models import ProposalStatus
from matcher.matching.state import VACANCIES, bump
from matcher.notifications.models import Notification, NotificationKind
from matcher.profiles.models import Consent, ConsentPurpose
from matcher.vacancies.models import VacancyStatus
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill, make_employer_profile
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

ENDS = date(2027, 3, 31)


def at(day: date, hour: int = 1) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def run(session_factory, session: Session):
    def run_once(name: str, now: datetime):
        outcome = run_job(session_factory, name, now=now)
        session.expire_all()
        return outcome

    return run_once


def warnings(session: Session) -> int:
    kind = NotificationKind.EXPIRY_WARNING
    return session.scalar(select(func.count()).where(Notification.kind == kind))


def test_expiry_warnings_come_30_and_7_days_before_and_never_twice(session, run):
    profile = make_employer_profile(session, approved_until=ENDS)
    make_user(session, role="employer", organisation=profile.organisation)
    make_user(session, role="mediator")
    warned_on = []
    for days_left in range(40, 0, -1):
        before = warnings(session)
        run("vetting", at(ENDS - timedelta(days=days_left)))
        run("vetting", at(ENDS - timedelta(days=days_left), hour=13))  # a re-run the same day
        if warnings(session) > before:
            warned_on.append(days_left)
            assert warnings(session) - before == 2  # the employer's user and the mediator

    assert warned_on == [30, 7]
    assert profile.status == VettingStatus.APPROVED  # the last valid day is still approved


def test_on_the_day_after_the_approval_the_employer_leaves_the_matching(session, run):
    profile = make_employer_profile(session, approved_until=ENDS)
    proposal = make_proposal(session, make_client(session), make_vacancy(session, profile))

    run("vetting", at(ENDS))
    assert may_match_employer(session, profile.organisation_id)
    assert proposal.status == ProposalStatus.PROPOSED

    outcome = run("vetting", at(ENDS + timedelta(days=1)))

    assert outcome.counts["expired"] == 1
    assert profile.status == VettingStatus.EXPIRED
    assert not may_match_employer(session, profile.organisation_id)
    assert proposal.status == ProposalStatus.FROZEN


def test_vacancies_close_the_day_after_their_closing_date(session, run):
    vacancy = make_vacancy(session, closing_date=ENDS)
    proposal = make_proposal(session, make_client(session), vacancy)

    assert run("close_vacancies", at(ENDS)).counts == {"closed": 0}
    assert vacancy.status == VacancyStatus.OPEN

    assert run("close_vacancies", at(ENDS + timedelta(days=1))).counts == {"closed": 1}
    assert vacancy.status == VacancyStatus.CLOSED
    assert proposal.status == ProposalStatus.FROZEN


def test_an_ended_matching_consent_freezes_the_clients_open_proposals(session, run):
    coach = make_user(session, role="coach")
    client = make_client(session, coach=coach)
    other = make_client(session, coach=coach)
    # One consent ends; the other client's has no end and keeps them in the matching.
    for who, ends_on in ((client, ENDS), (other, None)):
        session.add(Consent(client=who, purpose=ConsentPurpose.MATCHING, ends_on=ends_on,
                            given_recorded_by_id=coach.id))  # fmt: skip
    vacancy = make_vacancy(session)
    ended, renewed = make_proposal(session, client, vacancy), make_proposal(session, other, vacancy)

    run("end_consents", at(ENDS))
    assert ended.status == ProposalStatus.PROPOSED

    assert run("end_consents", at(ENDS + timedelta(days=1))).counts == {"frozen": 1}
    assert (ended.status, ended.frozen_reason) == (ProposalStatus.FROZEN, "consent_ended")
    assert renewed.status == ProposalStatus.PROPOSED
    assert run("end_consents", at(ENDS + timedelta(days=2))).counts == {"frozen": 0}


def add_signal(session: Session, closed_at: datetime | None, closer) -> Signal:
    created = datetime(2020, 1, 1, tzinfo=UTC)
    signal = Signal(text="Passports kept.", contact="a@b.nl", notes="Seen.", feedback="Thanks.",
                    created_at=created, status=SignalStatus.RECEIVED)  # fmt: skip
    if closed_at:
        signal.status, signal.outcome = SignalStatus.CLOSED, SignalOutcome.ACTION_TAKEN
        signal.closed_at, signal.closed_by_id = closed_at, closer.id
    session.add(signal)
    session.flush()
    return signal


def test_retention_anonymises_and_clears_exactly_what_is_past_its_period(session, run):
    now = at(ENDS, hour=3)
    mediator = make_user(session, role="mediator")
    old = make_client(session, first_name="Amina", last_activity_at=now - timedelta(days=731))
    recent = make_client(session, first_name="Rosa", last_activity_at=now - timedelta(days=730))
    old_signal = add_signal(session, now - timedelta(days=366), mediator)
    young_signal = add_signal(session, now - timedelta(days=364), mediator)
    open_signal = add_signal(session, None, mediator)
    figures = dict(period_start=date(2019, 1, 1), period_end=ENDS)
    before = build_dashboard(session, mediator, **figures)

    outcome = run("retention", now)

    assert outcome.counts == {"clients_anonymised": 1, "signals_cleared": 1}
    assert old.erased_at is not None and old.first_name is None and old.code.startswith("ERASED")
    assert recent.erased_at is None and recent.first_name == "Rosa"
    assert (old_signal.text, old_signal.contact, old_signal.notes, old_signal.feedback) == (
        ("",) * 4
    )
    assert young_signal.text == open_signal.text == "Passports kept."
    after = build_dashboard(session, mediator, **figures)
    # The rows stay: clients counted as new and the signals' figures do not change.
    assert (after.clients.new, after.signals) == (before.clients.new, before.signals)

    assert run("retention", now + timedelta(days=1)).counts["clients_anonymised"] == 1
    assert recent.erased_at is not None


def test_a_failed_job_is_recorded_with_its_error_and_runs_again_next_time(
    session, run, monkeypatch
):
    def broken(session, now):
        raise RuntimeError("disk full")

    real = JOBS["close_vacancies"]
    monkeypatch.setitem(JOBS, "close_vacancies", dataclasses.replace(real, func=broken))
    failed = run("close_vacancies", at(ENDS))
    monkeypatch.setitem(JOBS, "close_vacancies", real)
    again = run("close_vacancies", at(ENDS, hour=2))

    runs = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [r.status for r in runs] == [RunStatus.FAILED, RunStatus.SUCCEEDED]
    assert runs[0].error == failed.error == "RuntimeError: disk full"
    assert runs[0].finished_at >= runs[0].started_at
    assert again.counts == {"closed": 0}


def test_rerank_changed_does_nothing_when_nothing_changed(session, run, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "refresh_proposals", lambda s, **kw: calls.append(kw) or 0)

    assert run("rerank_changed", at(ENDS)).counts["reranked"] is True
    assert run("rerank_changed", at(ENDS, hour=2)).counts["reranked"] is False
    bump(session, VACANCIES)
    session.commit()
    assert run("rerank_changed", at(ENDS, hour=3)).counts["reranked"] is True
    assert len(calls) == 2


def test_a_skill_added_to_a_profile_makes_the_changed_rerank_run(session, run, monkeypatch):
    monkeypatch.setattr(services, "refresh_proposals", lambda s, **kw: 0)
    client = make_client(session)
    session.commit()
    assert run("rerank_changed", at(ENDS)).counts["reranked"] is True
    assert run("rerank_changed", at(ENDS, hour=2)).counts["reranked"] is False
    make_client_skill(session, client, "urn:s:forklift")
    session.commit()
    assert run("rerank_changed", at(ENDS, hour=3)).counts["reranked"] is True


def test_a_second_runner_does_not_run_a_job_whose_lease_is_held(fresh_database_url):
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    now = at(ENDS)
    try:
        with session_scope(factory) as first:
            assert take_lease(first, "vetting", "scheduler-a", now, 3600) is None
        with session_scope(factory) as second:
            assert take_lease(second, "vetting", "scheduler-b", now, 3600) == "scheduler-a"

        skipped = run_job(factory, "vetting", now=now + timedelta(minutes=5))

        assert skipped.held_by == "scheduler-a" and skipped.run_id is None
        with factory() as check:
            assert check.scalar(select(func.count()).select_from(JobRun)) == 0
        # A holder that died: its lease runs out and the next run takes the job.
        later = run_job(factory, "vetting", now=now + timedelta(hours=2))
        assert later.status == RunStatus.SUCCEEDED
    finally:
        engine.dispose()
