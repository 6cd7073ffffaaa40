"""Domain errors and HTTP errors as pages (or JSON under /api/), never a stack trace."""

from __future__ import annotations

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from matcher.errors import Forbidden, NotFound, ValidationError
from web.names import error_message


def wants_json() -> bool:
    """API callers (the type-ahead) get JSON errors they can act on, not HTML pages."""
    return request.path.startswith("/api/")


def _error_page(status: int, message: str):
    if wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, message=message), status


def _messages() -> dict[int, str]:
    return {
        400: gettext("The request could not be understood. Please check what you entered."),
        401: gettext("Sign in first."),
        403: gettext("You do not have access to this page."),
        404: gettext("This page or item does not exist."),
        405: gettext("This action is not possible here."),
        413: gettext("What you sent is too large. A file may be at most 10 MB."),
        500: gettext("Something went wrong on our side. Please try again later."),
    }


def handle_http_error(error: HTTPException):
    status = error.code or 500
    return _error_page(status, _messages().get(status, error.name))


def handle_csrf_error(error: CSRFError):
    return _error_page(
        400, gettext("The form had expired or was sent from elsewhere. Please try again.")
    )


def handle_not_found(error: NotFound):
    return _error_page(404, _messages()[404])


def handle_forbidden(error: Forbidden):
    return _error_page(403, _messages()[403])


def handle_validation_error(error: ValidationError):
    return _error_page(400, error_message(error))


def refuse_nul_bytes() -> None:
    """No field has a use for NUL, and PostgreSQL refuses it in text: answer 400, not 500."""
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(400)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(CSRFError, handle_csrf_error)
    # Also catches the InternalServerError Flask wraps around a crash, after logging it.
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(Forbidden, handle_forbidden)
    app.register_error_handler(ValidationError, handle_validation_error)
