"""The web app on the per-test rolled-back session, a client, and a signed-in client per role."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from matcher.accounts.models import User
from matcher.db import make_engine
from matcher.demo import seed_demo
from matcher.skills.search import clear_index_cache
from tests.factories import PASSWORD, make_user, password_hash
from tests.matcher.demo_concepts import add_demo_concepts
from web.app import create_app

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogues that `make install` has not compiled yet (.mo is git-ignored)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)


def make_test_app(session_factory: sessionmaker[Session], **config) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SESSION_FACTORY": session_factory,
            **config,
        }
    )


@pytest.fixture
def app(session_factory: sessionmaker[Session]) -> Flask:
    return make_test_app(session_factory)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient, session: Session) -> Callable[..., User]:
    """Sign the client in as a new user of a role (in an organisation of the fitting kind)."""

    def sign_in(role: str = "coach", **user_fields) -> User:
        user = make_user(session, role=role, **user_fields)
        session.commit()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@contextmanager
def demo_database(
    database_url: str, uploads: Path, *concepts: Callable[[Session], object]
) -> Iterator[Session]:
    """The demo seeded through its services into a committed database (after the ESCO rows it
    needs and any `concepts`); what the caller adds to the session is committed on leaving."""
    clear_index_cache()
    engine = make_engine(database_url)
    try:
        with pytest.MonkeyPatch.context() as patch, Session(engine) as session:
            patch.setattr("matcher.accounts.services.hash_password", password_hash)
            for add in (add_demo_concepts, *concepts):
                add(session)
            seed_demo(session, uploads)
            yield session
            session.commit()
    finally:
        engine.dispose()


@contextmanager
def serve_app(database_url: str, **config) -> Iterator[str]:
    """The app on a free localhost port over a committed database, for a real browser."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "browser-test-secret", **config})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.extensions["fairmatch_sessions"].kw["bind"].dispose()


@pytest.fixture
def browser() -> Iterator:
    """Debian's chromium driven by Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
