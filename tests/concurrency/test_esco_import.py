"""An ESCO import running while the app serves the type-ahead and a client's ranking.

The import is held after its first write, with its transaction open, until the readers have
asked during it; then it commits. Every answer is 200 and holds the old or the new data, never
nothing; the import completes.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from matcher.db import make_engine, make_session_factory, session_scope
from matcher.profiles.models import ConsentPurpose
from matcher.skills.importer import import_esco
from tests.concurrency.conftest import WAIT, race
from tests.factories import PASSWORD, make_user
from tests.matcher.matching.test_proposals import consent
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.vacancies.builders import make_vacancy
from web.app import create_app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "esco"
GRILL = "http://data.europa.eu/esco/skill/fx-grill"
SEARCHES_DURING = 3


@pytest.fixture
def newer_esco(tmp_path) -> Path:
    """The fixture with one skill renamed: a new ESCO version to import over the old one."""
    newer = tmp_path / "esco-newer"
    shutil.copytree(FIXTURE, newer)
    skills = newer / "classification-en" / "skills_en.csv"
    text = skills.read_text(encoding="utf-8")
    assert ",grill meat," in text
    skills.write_text(text.replace(",grill meat,", ",grill meat and fish,"), encoding="utf-8")
    return newer


@pytest.fixture
def site(fresh_database_url):
    engine = make_engine(fresh_database_url)
    with session_scope(make_session_factory(engine)) as setup:
        import_esco(setup, FIXTURE)
        coach = make_user(setup, role="coach")
        client = make_client(setup, coach=coach)
        consent(setup, client, ConsentPurpose.MATCHING)
        make_client_skill(setup, client, GRILL)
        vacancy = make_vacancy(setup, essential=(GRILL,))
        setup.flush()
        ids = coach.email, client.id, vacancy.title
    app = create_app(
        {"DATABASE_URL": fresh_database_url, "SECRET_KEY": "t", "TESTING": True,
         "WTF_CSRF_ENABLED": False}
    )  # fmt: skip
    yield app, engine, ids
    app.extensions["fairmatch_sessions"].kw["bind"].dispose()
    engine.dispose()


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_the_app_answers_from_old_or_new_data_while_esco_imports(site, newer_esco):
    app, engine, (email, client_id, title) = site
    writing, asked = threading.Event(), threading.Event()
    searched, ranking_asked = threading.Semaphore(0), threading.Event()
    importer = threading.local()
    searcher, ranker = signed_in(app, email), signed_in(app, email)  # before the import locks

    def hold_first_write(conn, cursor, statement: str, *args) -> None:
        first_write = statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        if getattr(importer, "active", False) and first_write and not writing.is_set():
            writing.set()
            assert asked.wait(WAIT), "the readers never asked during the import"

    def run_import():
        importer.active = True
        with session_scope(make_session_factory(engine)) as session:
            return import_esco(session, newer_esco)

    def search():
        http = searcher
        answers = []
        assert writing.wait(WAIT)
        for _ in range(SEARCHES_DURING):
            answers.append(http.get("/api/esco/search?q=grill&kind=skill"))
            searched.release()
        finished.wait(WAIT)
        answers.append(http.get("/api/esco/search?q=grill&kind=skill"))
        return answers

    def rank():
        http = ranker
        assert writing.wait(WAIT)
        ranking_asked.set()  # a page that also writes the audit log: it may wait for the import
        answers = [http.get(f"/coach/clients/{client_id}/matches")]
        finished.wait(WAIT)
        answers.append(http.get(f"/coach/clients/{client_id}/matches"))
        return answers

    def release_import():
        for _ in range(SEARCHES_DURING):
            assert searched.acquire(timeout=WAIT)
        assert ranking_asked.wait(WAIT)
        asked.set()

    finished = threading.Event()

    def import_then_finish():
        try:
            return run_import()
        finally:
            finished.set()

    event.listen(engine, "before_cursor_execute", hold_first_write)
    try:
        imported, searches, ranks, _ = race(import_then_finish, search, rank, release_import)
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_write)
        asked.set()
        finished.set()

    for outcome in (imported, searches, ranks):
        assert outcome.error is None, repr(outcome.error)
    assert imported.value.changed, imported.value.changes
    labels = []
    for answer in searches.value:
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        hits = [h["label"] for h in answer.get_json()["results"] if h["uri"] == GRILL]
        assert hits in (["grill meat"], ["grill meat and fish"])
        labels.append(hits[0])
    assert labels[-1] == "grill meat and fish"  # after the import: the new name
    for answer in ranks.value:
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        assert title in answer.get_data(as_text=True)
