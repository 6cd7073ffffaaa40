"""`fairmatch demo`: employers in every vetting state, with answers, evidence and signals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matcher.accounts.models import User
from matcher.accounts.services import authenticate
from matcher.db import utcnow
from matcher.demo import DEMO_PASSWORD, seed_demo
from matcher.employers.models import EmployerProfile, EvidenceFile, Signal, SignalStatus
from matcher.employers.services import may_match_employer
from matcher.employers.states import VettingStatus
from tests.factories import password_hash


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    # The demo creates eleven users; scrypt, slow on purpose, would take most of each test.
    monkeypatch.setattr("matcher.accounts.services.hash_password", password_hash)


def _profiles(session) -> dict[str, EmployerProfile]:
    return {p.legal_name: p for p in session.scalars(select(EmployerProfile))}


def test_demo_has_an_employer_in_every_vetting_state(session, tmp_path):
    result = seed_demo(session, tmp_path)
    assert result.employers_created == len(VettingStatus)
    assert {p.status for p in _profiles(session).values()} == set(VettingStatus)


def test_demo_employer_user_belongs_to_an_approved_employer_that_may_be_matched(session, tmp_path):
    seed_demo(session, tmp_path)
    user = authenticate(session, "employer@demo.test", DEMO_PASSWORD, "10.0.0.1", utcnow())
    assert may_match_employer(session, user.organisation_id)


def test_demo_employers_have_answers_and_evidence_on_disk(session, tmp_path):
    seed_demo(session, tmp_path)
    profiles = _profiles(session)
    assert all(p.submissions and p.submissions[-1].answers for p in profiles.values())
    evidence = session.scalars(select(EvidenceFile)).all()
    assert evidence and all((tmp_path / e.stored_name).is_file() for e in evidence)


def test_demo_expired_and_suspended_employers_are_out_of_the_matching(session, tmp_path):
    seed_demo(session, tmp_path)
    profiles = _profiles(session)
    expired = profiles["Demo Hotel Services"]
    assert expired.status == VettingStatus.EXPIRED and expired.approved_until < date.today()
    assert not may_match_employer(session, profiles["Demo Meat Processing"].organisation_id)


def test_demo_signals_include_a_serious_one_and_one_closed_with_feedback(session, tmp_path):
    seed_demo(session, tmp_path)
    signals = session.scalars(select(Signal)).all()
    assert any(s.serious and s.employer.status == VettingStatus.SUSPENDED for s in signals)
    closed = [s for s in signals if s.status == SignalStatus.CLOSED]
    assert closed and closed[0].feedback
    assert {s.reporter_id for s in signals} == {
        session.scalar(select(User.id).where(User.email == "coach@demo.test"))
    }


def test_demo_seeds_once(session, tmp_path):
    first = seed_demo(session, tmp_path)
    signals = len(session.scalars(select(Signal)).all())
    second = seed_demo(session, tmp_path)
    assert first.users_created > 0
    assert (second.users_created, second.employers_created) == (0, 0)
    assert len(session.scalars(select(Signal)).all()) == signals
