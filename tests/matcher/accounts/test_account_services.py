"""Accounts without Flask: creating users, signing in, throttling, language, demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matcher.accounts.models import LoginAttempt
from matcher.accounts.services import (
    AccountInactive,
    LoginFailed,
    LoginThrottled,
    authenticate,
    check_password,
    create_organisation,
    create_user,
    set_user_language,
)
from matcher.db import utcnow
from matcher.errors import ValidationError
from tests.factories import PASSWORD, make_organisation, make_user

NOW = utcnow()


def test_a_new_user_has_a_lower_case_email_and_a_hashed_password(session):
    shelter = create_organisation(session, "Shelter North", "support")
    user = create_user(
        session,
        email=" Ana@Shelter.Example ",
        password=PASSWORD,
        role="coach",
        organisation=shelter,
    )
    assert user.email == "ana@shelter.example"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert check_password(user.password_hash, PASSWORD)
    assert not check_password(user.password_hash, PASSWORD + "!")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "is not a valid e-mail address"),
        ({"password": "eleven char"}, "at least 12 characters"),
        (
            {"role": "employer"},
            "Role employer needs an organisation of kind employer; .* is of kind support",
        ),
        ({"role": "pilot"}, "Unknown role 'pilot'"),
        ({"language": "fr"}, "Language must be one of en, nl"),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_message(session, fields, message):
    shelter = make_organisation(session, kind="support")
    data = {"email": "ana@example.org", "password": PASSWORD, "role": "coach", **fields}
    with pytest.raises(ValidationError, match=message):
        create_user(session, organisation=shelter, **data)


def test_an_email_address_is_used_once_whatever_its_case(session):
    shelter = make_organisation(session, kind="support")
    create_user(
        session, email="ana@example.org", password=PASSWORD, role="coach", organisation=shelter
    )
    with pytest.raises(ValidationError, match=r"ana@example\.org already exists"):
        create_user(
            session, email="ANA@example.org", password=PASSWORD, role="coach", organisation=shelter
        )


def test_organisation_names_are_unique(session):
    create_organisation(session, "Fair Work", "mediating")
    with pytest.raises(ValidationError, match="already exists"):
        create_organisation(session, "Fair Work", "mediating")


def test_authenticate_records_the_sign_in(session):
    user = make_user(session, email="ana@example.org")
    assert authenticate(session, "ANA@example.org", PASSWORD, "10.0.0.1", NOW) is user
    assert user.last_login_at == NOW
    attempt = session.scalar(select(LoginAttempt))
    assert (attempt.email, attempt.remote_addr, attempt.succeeded) == (
        "ana@example.org",
        "10.0.0.1",
        True,
    )


def test_a_wrong_password_and_an_unknown_address_fail_alike(session):
    make_user(session, email="ana@example.org")
    with pytest.raises(LoginFailed, match=r"Wrong e-mail address or password\."):
        authenticate(session, "ana@example.org", "guess guess guess", "10.0.0.1", NOW)
    with pytest.raises(LoginFailed, match=r"Wrong e-mail address or password\."):
        authenticate(session, "bob@example.org", PASSWORD, "10.0.0.1", NOW)


def fail_times(session, n, email="ana@example.org", addr="10.0.0.1", at=NOW):
    for i in range(n):
        with pytest.raises(LoginFailed):
            authenticate(session, email, "wrong password!", addr, at + timedelta(seconds=i))


def test_five_failures_for_an_email_refuse_even_the_right_password(session):
    make_user(session, email="ana@example.org")
    fail_times(session, 5)
    later = NOW + timedelta(minutes=1)
    with pytest.raises(LoginThrottled, match="try again in 14 minutes") as refused:
        authenticate(session, "ana@example.org", PASSWORD, "10.9.9.9", later)
    assert refused.value.minutes == 14


def test_the_lock_lifts_when_the_window_has_passed(session):
    user = make_user(session, email="ana@example.org")
    fail_times(session, 5)
    after = NOW + timedelta(seconds=905)
    assert authenticate(session, "ana@example.org", PASSWORD, "10.0.0.1", after) is user


def test_five_failures_from_one_address_lock_that_address(session):
    make_user(session, email="ana@example.org")
    for i in range(5):
        fail_times(session, 1, email=f"guess{i}@example.org")
    with pytest.raises(LoginThrottled):
        authenticate(session, "ana@example.org", PASSWORD, "10.0.0.1", NOW + timedelta(seconds=9))
    user = authenticate(
        session, "ana@example.org", PASSWORD, "10.0.0.2", NOW + timedelta(seconds=9)
    )
    assert user.email == "ana@example.org"


def test_a_successful_sign_in_clears_the_failures_of_that_email(session):
    make_user(session, email="ana@example.org")
    fail_times(session, 4)
    authenticate(session, "ana@example.org", PASSWORD, "10.0.0.2", NOW + timedelta(seconds=10))
    fail_times(session, 4, addr="10.0.0.3", at=NOW + timedelta(seconds=20))
    authenticate(session, "ana@example.org", PASSWORD, "10.0.0.4", NOW + timedelta(seconds=30))


def test_a_throttle_limit_can_be_configured(session):
    make_user(session, email="ana@example.org")
    fail_times(session, 2)
    with pytest.raises(LoginThrottled):
        authenticate(
            session, "ana@example.org", PASSWORD, "10.0.0.1", NOW, max_failures=2, window_seconds=60
        )


def test_an_inactive_user_is_refused_only_after_the_right_password(session):
    make_user(session, email="gone@example.org", active=False)
    with pytest.raises(LoginFailed):
        authenticate(session, "gone@example.org", "wrong password!", "10.0.0.1", NOW)
    with pytest.raises(AccountInactive):
        authenticate(session, "gone@example.org", PASSWORD, "10.0.0.1", NOW)


def test_set_user_language(session):
    user = make_user(session)
    assert set_user_language(session, user, "nl").language == "nl"
    with pytest.raises(ValidationError, match="Language must be one of en, nl"):
        set_user_language(session, user, "xx")
