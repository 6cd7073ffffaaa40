"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

from matcher.config import load_settings
from web import db, errors, security
from web.extensions import babel, csrf, login_manager
from web.i18n import LANGUAGE_NAMES, language_name, select_locale
from web.names import name_of

WEB_DIR = Path(__file__).resolve().parent
# Ids are INTEGER columns: a bigger number in a URL is an unknown page, not a database overflow.
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` up to the largest id a column holds; beyond it the URL matches nothing (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the web app from the environment's settings, then the overrides (tests)."""
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.url_map.converters["int"] = IdConverter
    settings = load_settings()
    app.config.update(
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        FAIRMATCH_ENV=settings.environment,
        LOGIN_MAX_FAILURES=settings.login_max_failures,
        LOGIN_WINDOW_SECONDS=settings.login_window_seconds,
        UPLOAD_DIR=str(settings.upload_dir),
        # Evidence is at most 10 MB; a little more for the form around it. Werkzeug refuses
        # anything bigger with 413 before it is read into memory.
        MAX_CONTENT_LENGTH=11 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.is_production,
        TRUSTED_PROXIES=settings.trusted_proxies,
        BABEL_TRANSLATION_DIRECTORIES=str(WEB_DIR / "translations"),
        BABEL_DEFAULT_LOCALE="en",
    )
    app.config.update(overrides or {})
    security.check_secret_key(app)

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    errors.init_app(app)
    security.init_app(app)
    _register_blueprints(app)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        language_name=language_name,
        get_locale=get_locale,
        name_of=name_of,
    )
    return app


def _register_blueprints(app: Flask) -> None:
    from web import access  # noqa: F401  (registers the user loader)
    from web.admin.views import bp as admin_bp
    from web.auth.views import bp as auth_bp
    from web.clients.profile import bp as client_profile_bp
    from web.clients.safety import bp as client_safety_bp
    from web.clients.skills import bp as client_skills_bp
    from web.clients.views import bp as clients_bp
    from web.dashboard.views import bp as dashboard_bp
    from web.employer.views import bp as employer_bp
    from web.esco.views import api_bp as esco_api_bp
    from web.esco.views import bp as esco_bp
    from web.main.views import bp as main_bp
    from web.matching.views import bp as matching_bp
    from web.notifications.views import bp as notifications_bp
    from web.placements.views import bp as placements_bp
    from web.queue.views import bp as queue_bp
    from web.signals.views import bp as signals_bp
    from web.vacancies.views import bp as vacancies_bp
    from web.vetting.views import bp as vetting_bp

    blueprints = (main_bp, auth_bp, esco_bp, esco_api_bp, admin_bp, dashboard_bp)
    clients = (clients_bp, client_skills_bp, client_safety_bp, client_profile_bp)
    matching = (vacancies_bp, matching_bp, queue_bp, placements_bp)
    areas = (employer_bp, vetting_bp, signals_bp, notifications_bp)
    for blueprint in (*blueprints, *areas, *clients, *matching):
        app.register_blueprint(blueprint)
