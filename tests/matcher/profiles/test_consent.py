"""Consent per purpose: given, withdrawn, ended; matching reads it only through may_be_matched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.profiles.consent import (
    InForce,
    consents_in_force,
    give_consent,
    list_consents,
    may_be_matched,
    withdraw_consent,
)
from matcher.profiles.models import Consent, ConsentPurpose
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile

TODAY = utcnow().date()


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def client(session, coach):
    return make_client(session, coach=coach)


def actions(session, client):
    return [
        (e.action, e.details)
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "client", AuditEvent.object_id == client.id)
            .order_by(AuditEvent.id)
        )
    ]


def test_a_client_without_consent_is_not_matched(session, client):
    assert not may_be_matched(session, client, TODAY)


def test_matching_consent_lets_the_client_be_matched(session, coach, client):
    give_consent(session, coach, client.id, "matching")
    assert may_be_matched(session, client, TODAY)
    assert consents_in_force(session, client, TODAY) == {InForce(ConsentPurpose.MATCHING)}


def test_withdrawing_matching_consent_takes_the_client_out_at_once(session, coach, client):
    consent = give_consent(session, coach, client.id, "matching")
    withdraw_consent(session, coach, client.id, consent.id)
    assert not may_be_matched(session, client, TODAY)


def test_a_consent_counts_up_to_its_end_date_and_not_after(session, coach, client):
    ends_on = TODAY + timedelta(days=30)
    give_consent(session, coach, client.id, "matching", ends_on=ends_on)
    assert may_be_matched(session, client, ends_on)
    assert not may_be_matched(session, client, ends_on + timedelta(days=1))


def test_an_erased_client_is_never_matched(session, coach, client):
    give_consent(session, coach, client.id, "matching")
    client.first_name, client.erased_at = None, utcnow()
    session.flush()
    assert not may_be_matched(session, client, TODAY)


def test_sharing_with_one_employer_needs_that_employer(session, coach, client):
    with pytest.raises(ValidationError, match="Choose the employer"):
        give_consent(session, coach, client.id, "share_with_employer")
    with pytest.raises(ValidationError, match="No registered employer"):
        give_consent(session, coach, client.id, "share_with_employer", employer_id=999_999)
    firm = make_employer_profile(session)
    with pytest.raises(ValidationError, match="Only consent to share with one employer"):
        give_consent(session, coach, client.id, "matching", employer_id=firm.id)
    assert client.consents == []


def test_sharing_is_in_force_per_employer(session, coach, client):
    first, second = make_employer_profile(session), make_employer_profile(session)
    give_consent(session, coach, client.id, "share_with_employer", employer_id=first.id)
    give_consent(session, coach, client.id, "share_with_employer", employer_id=second.id)
    assert consents_in_force(session, client, TODAY) == {
        InForce(ConsentPurpose.SHARE_WITH_EMPLOYER, first.id),
        InForce(ConsentPurpose.SHARE_WITH_EMPLOYER, second.id),
    }
    assert not may_be_matched(session, client, TODAY)


def test_a_consent_already_in_force_is_refused(session, coach, client):
    firm = make_employer_profile(session)
    give_consent(session, coach, client.id, "share_with_mediators")
    give_consent(session, coach, client.id, "share_with_employer", employer_id=firm.id)
    with pytest.raises(InvalidTransition, match="already in force"):
        give_consent(session, coach, client.id, "share_with_mediators")
    with pytest.raises(InvalidTransition, match="already in force"):
        give_consent(session, coach, client.id, "share_with_employer", employer_id=firm.id)
    assert len(client.consents) == 2


def test_unknown_purposes_and_past_end_dates_are_refused(session, coach, client):
    with pytest.raises(ValidationError, match="Choose what the consent is for"):
        give_consent(session, coach, client.id, "marketing")
    with pytest.raises(ValidationError, match="cannot end before today"):
        give_consent(session, coach, client.id, "matching", ends_on=TODAY - timedelta(days=1))
    assert client.consents == []


def test_consent_can_be_given_again_after_a_withdrawal_or_its_end(session, coach, client):
    consent = give_consent(session, coach, client.id, "matching")
    withdraw_consent(session, coach, client.id, consent.id)
    # Given last month for two weeks: it ended, and nobody withdrew it.
    month_ago = utcnow() - timedelta(days=30)
    client.consents.append(Consent(purpose="matching", given_at=month_ago,
                                   ends_on=month_ago.date() + timedelta(days=14),
                                   given_recorded_by_id=coach.id))  # fmt: skip
    session.flush()
    assert not may_be_matched(session, client, TODAY)
    give_consent(session, coach, client.id, "matching")
    assert may_be_matched(session, client, TODAY)
    history = list_consents(session, coach, client.id)
    assert [(r.in_force, r.ended) for r in history] == [
        (False, False),
        (False, True),
        (True, False),
    ]


def test_a_withdrawn_consent_cannot_be_withdrawn_again(session, coach, client):
    consent = give_consent(session, coach, client.id, "matching")
    withdraw_consent(session, coach, client.id, consent.id)
    with pytest.raises(InvalidTransition, match="already been withdrawn"):
        withdraw_consent(session, coach, client.id, consent.id)


def test_a_consent_of_another_client_cannot_be_withdrawn(session, coach, client):
    other = make_client(session, coach=coach)
    consent = give_consent(session, coach, other.id, "matching")
    with pytest.raises(NotFound):
        withdraw_consent(session, coach, client.id, consent.id)
    assert may_be_matched(session, other, TODAY)


def test_the_history_keeps_who_gave_and_who_withdrew(session, coach, client):
    colleague = make_user(session, role="coach", organisation=coach.organisation)
    firm = make_employer_profile(session, legal_name="Fair Farms")
    consent = give_consent(session, coach, client.id, "matching")
    give_consent(session, coach, client.id, "share_with_employer", employer_id=firm.id)
    withdraw_consent(session, colleague, client.id, consent.id)
    matching, sharing = list_consents(session, coach, client.id)
    assert (matching.given_by, matching.withdrawn_by) == (coach.email, colleague.email)
    assert matching.given_at.date() == TODAY and matching.withdrawn_at.date() == TODAY
    assert not matching.in_force
    assert (sharing.employer_label, sharing.in_force, sharing.withdrawn_by) == (
        "Fair Farms",
        True,
        "",
    )


def test_giving_and_withdrawing_are_audited(session, coach, client):
    consent = give_consent(session, coach, client.id, "matching", ends_on=date(2099, 1, 1))
    withdraw_consent(session, coach, client.id, consent.id)
    assert actions(session, client) == [
        ("give_consent", {"consent_id": consent.id, "purpose": "matching", "employer_id": None}),
        ("withdraw_consent", {"consent_id": consent.id, "purpose": "matching"}),
    ]


def test_a_mediator_reads_the_history_but_records_nothing(session, coach, client):
    mediator = make_user(session, role="mediator")
    consent = give_consent(session, coach, client.id, "matching")
    assert [r.id for r in list_consents(session, mediator, client.id)] == [consent.id]
    with pytest.raises(Forbidden):
        withdraw_consent(session, mediator, client.id, consent.id)
    with pytest.raises(Forbidden):
        give_consent(session, mediator, client.id, "share_with_mediators")
    assert may_be_matched(session, client, TODAY)
    assert actions(session, client)[-1][0] == "view"


def test_a_coach_of_another_organisation_sees_and_records_nothing(session, coach, client):
    stranger = make_user(session, role="coach")
    with pytest.raises(Forbidden):
        give_consent(session, stranger, client.id, "matching")
    with pytest.raises(Forbidden):
        list_consents(session, stranger, client.id)
    employer = make_user(session, role="employer")
    with pytest.raises(Forbidden):
        list_consents(session, employer, client.id)
    assert client.consents == []
