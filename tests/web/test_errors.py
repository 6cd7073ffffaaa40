"""Domain errors become HTTP answers; a crash becomes a calm 500 page."""

from __future__ import annotations

import pytest

from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.web.conftest import make_test_app
from web.names import error_message


@pytest.fixture
def failing_app(session_factory):
    app = make_test_app(session_factory, TESTING=False)
    errors = {
        "not-found": NotFound("gone"),
        "forbidden": Forbidden("not yours"),
        "invalid": ValidationError("The wage is under the legal minimum."),
        "crash": RuntimeError("bug"),
    }

    @app.get("/fail/<name>")
    def fail(name):
        raise errors[name]

    return app


@pytest.mark.parametrize(
    ("name", "status", "text"),
    [
        ("not-found", 404, "This page or item does not exist."),
        ("forbidden", 403, "You do not have access to this page."),
        ("invalid", 400, "The wage is under the legal minimum."),
        ("crash", 500, "Something went wrong on our side. Please try again later."),
    ],
)
def test_errors_get_their_own_page(failing_app, name, status, text):
    response = failing_app.test_client().get(f"/fail/{name}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert text in html
    assert "Traceback" not in html and "bug" not in html


def test_errors_under_api_answer_json(failing_app):
    @failing_app.get("/api/fail")
    def api_fail():
        raise NotFound("gone")

    response = failing_app.test_client().get("/api/fail")
    assert response.status_code == 404
    assert response.get_json() == {"error": "This page or item does not exist."}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This employer is not suspended but approved with conditions."),
        (
            "nl",
            "Deze werkgever is niet geschorst, maar heeft de status goedgekeurd onder voorwaarden.",
        ),
    ],
)
def test_domain_messages_and_their_values_are_in_the_readers_language(app, language, expected):
    error = InvalidTransition(
        "This employer is not suspended but %(status)s.",
        status=VettingStatus.APPROVED_WITH_CONDITIONS,
    )
    with app.test_request_context(headers={"Accept-Language": language}):
        assert error_message(error) == expected


def test_words_and_numbers_in_a_dutch_message_are_dutch(app):
    error = ValidationError(
        "%(what)s is longer than %(max)s characters.", what="The description", max=10_000
    )
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert error_message(error) == "De beschrijving is langer dan 10.000 tekens."
