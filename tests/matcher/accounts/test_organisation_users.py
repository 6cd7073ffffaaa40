"""An organisation manages its own users: list, add with the same role, deactivate."""

import pytest
from sqlalchemy import select

from matcher.accounts.services import (
    add_organisation_user,
    deactivate_organisation_user,
    list_organisation_users,
)
from matcher.audit.models import AuditEvent
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user


def events(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("role", ["employer", "coach"])
def test_add_organisation_user_gives_the_same_role_and_organisation(session, role):
    actor = make_user(session, role=role, language="nl")

    user = add_organisation_user(session, actor, " New@Example.org ", "a long enough password")

    assert (user.email, user.role, user.organisation, user.language) == (
        "new@example.org",
        role,
        actor.organisation,
        "nl",
    )
    assert user.active
    [event] = events(session, "add_user")
    assert (event.actor_id, event.object_id) == (actor.id, user.id)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [("not-an-address", "a long enough password", "valid e-mail"),
     ("new@example.org", "short", "at least 12")],
)  # fmt: skip
def test_add_organisation_user_keeps_the_account_rules(session, email, password, message):
    actor = make_user(session, role="employer")
    with pytest.raises(ValidationError, match=message):
        add_organisation_user(session, actor, email, password)
    assert list_organisation_users(session, actor) == [actor]


def test_an_existing_email_address_is_refused(session):
    actor = make_user(session, role="employer")
    make_user(session, role="coach", email="taken@example.org")
    with pytest.raises(ValidationError, match="already exists"):
        add_organisation_user(session, actor, "taken@example.org", "a long enough password")


def test_list_organisation_users_shows_only_the_own_organisation(session):
    actor = make_user(session, role="employer", email="b@example.org")
    colleague = make_user(
        session, role="employer", email="a@example.org", organisation=actor.organisation
    )
    gone = make_user(
        session, role="employer", email="0@example.org", organisation=actor.organisation,
        active=False,
    )  # fmt: skip
    make_user(session, role="employer", email="other@example.org")

    assert list_organisation_users(session, actor) == [colleague, actor, gone]


def test_deactivate_organisation_user_switches_a_colleague_off(session):
    actor = make_user(session, role="employer")
    colleague = make_user(session, role="employer", organisation=actor.organisation)

    deactivate_organisation_user(session, actor, colleague.id)

    assert not colleague.active
    [event] = events(session, "deactivate_user")
    assert (event.from_state, event.to_state, event.actor_id) == ("active", "inactive", actor.id)
    with pytest.raises(InvalidTransition, match="already"):
        deactivate_organisation_user(session, actor, colleague.id)


def test_nobody_deactivates_themselves_or_someone_elsewhere(session):
    actor = make_user(session, role="employer")
    stranger = make_user(session, role="employer")

    with pytest.raises(ValidationError, match="your own account"):
        deactivate_organisation_user(session, actor, actor.id)
    with pytest.raises(NotFound):
        deactivate_organisation_user(session, actor, stranger.id)
    with pytest.raises(NotFound):
        deactivate_organisation_user(session, actor, stranger.id + 1000)
    assert actor.active and stranger.active


def test_a_deactivated_account_manages_no_users(session):
    # Its session may outlive the switch-off; it must not keep managing colleagues.
    actor = make_user(session, role="employer", active=False)
    colleague = make_user(session, role="employer", organisation=actor.organisation)
    with pytest.raises(Forbidden):
        deactivate_organisation_user(session, actor, colleague.id)
    assert colleague.active
