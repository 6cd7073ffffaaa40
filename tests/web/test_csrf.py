"""Every POST route refuses a form without its CSRF token, whoever sends it, and changes nothing.

The routes are read from the app's URL map, so a POST route added later is covered without
anyone remembering to add it here.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import IntegerConverter, Rule

from matcher.employers.links import create_signal_link
from matcher.models import metadata
from tests.factories import make_user
from tests.web.conftest import make_test_app
from web.app import create_app

EXPIRED = "The form had expired or was sent from elsewhere."
ROLES = (None, "coach", "mediator", "employer", "admin")


def post_rules() -> list[Rule]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SESSION_FACTORY": object()})
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


POST_RULES = post_rules()


def url_of(app: Flask, rule: Rule, token: str) -> str:
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else token
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def snapshot(session: Session) -> dict[str, list]:
    """Every row of every table: any change a request made shows up as a difference."""
    session.expire_all()
    return {
        table.name: [tuple(row) for row in session.execute(select(table)).all()]
        for table in metadata.sorted_tables
    }


def sign_in_without_a_form(client, user) -> None:
    # The login form itself needs a token; the session is what a signed-in browser would hold.
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = str(user.id)
        browser_session["_fresh"] = True


def test_the_url_map_has_the_post_routes_this_test_is_about():
    endpoints = {rule.endpoint for rule in POST_RULES}
    assert {"auth.login", "signals.public_report", "clients.erase", "queue.approve"} <= endpoints
    assert len(POST_RULES) > 40


@pytest.mark.parametrize("rule", POST_RULES, ids=lambda rule: rule.endpoint)
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
    session_factory: sessionmaker[Session], session: Session, rule: Rule
):
    app = make_test_app(session_factory, WTF_CSRF_ENABLED=True)
    users = {role: make_user(session, role=role) for role in ROLES if role}
    # A working personal link, so the public report form is reached for real.
    token = create_signal_link(session, users["coach"], "client 1")[1]
    session.commit()
    url = url_of(app, rule, token)
    before = snapshot(session)
    for role in ROLES:
        client = app.test_client()
        if role:
            sign_in_without_a_form(client, users[role])
            # The session really is signed in: a page that needs it opens.
            assert client.get("/").status_code == 200
        response = client.post(url, data={"text": "x" * 40, "email": users["coach"].email})
        assert response.status_code == 400, (role, url)
        assert EXPIRED in response.get_data(as_text=True), (role, url)
        # A token from another session does not count either.
        response = client.post(url, data={"csrf_token": "forged." + "x" * 40})
        assert response.status_code == 400, (role, url)
    assert snapshot(session) == before
