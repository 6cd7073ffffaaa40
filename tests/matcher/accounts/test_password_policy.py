"""The password policy, kept in one place (matcher.accounts.services.check_password_policy)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matcher.accounts.models import User
from matcher.accounts.services import check_password_policy, create_user
from matcher.demo import DEMO_PASSWORD
from matcher.errors import ValidationError
from tests.factories import make_organisation

EMAIL = "ana.jansen@shelter.example"
COMMON = "one of the first that attackers try"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "at least 12 characters"),
        ("eleven char", "at least 12 characters"),
        (EMAIL, "must not contain your e-mail address"),
        ("ANA.JANSEN@Shelter.example!", "must not contain your e-mail address"),
        ("my " + EMAIL + " pw", "must not contain your e-mail address"),
        ("123456789012", COMMON),
        ("passwordpassword", COMMON),
        ("Password12345!", COMMON),
        ("QWERTYUIOP1234", COMMON),
        ("welkom2026!!!", COMMON),
        ("Fairmatch2026!", COMMON),
        ("letmein123456", COMMON),
        ("correct horse battery staple", COMMON),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(session, password, message):
    with pytest.raises(ValidationError, match=message):
        check_password_policy(password, EMAIL)
    organisation = make_organisation(session, kind="support")
    with pytest.raises(ValidationError, match=message):
        create_user(
            session, email=EMAIL, password=password, role="coach", organisation=organisation
        )
    assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    "password",
    [DEMO_PASSWORD, "a long enough secret", "ana jansen's own phrase", "tr0ub4dor&3-horse"],
)
def test_reasonable_passwords_pass(session, password):
    check_password_policy(password, EMAIL)
    organisation = make_organisation(session, kind="support")
    user = create_user(
        session, email=EMAIL, password=password, role="coach", organisation=organisation
    )
    assert user.id is not None


def test_the_demo_password_still_signs_the_demo_users_up(session):
    assert len(DEMO_PASSWORD) == 13
    check_password_policy(DEMO_PASSWORD, "coach@demo.test")
