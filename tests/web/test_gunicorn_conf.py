"""gunicorn's master builds the indexes before forking, and leaves no connection to share."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from matcher.matching import index as ranking
from matcher.skills import search
from tests.factories import make_concept
from web import gunicorn_conf
from web.app import create_app
from web.cli.serve import warm_indexes
from web.db import EXTENSION


def test_warming_builds_both_indexes_that_later_requests_use(session, session_factory):
    make_concept(session, kind="occupation", labels={"en": "forklift operator"})
    session.commit()
    search.clear_index_cache()
    ranking.clear_index_cache()
    said: list[str] = []

    warm_indexes(session_factory, said.append)

    assert [line.split(" in ")[0] for line in said] == [
        "search index ready",
        "ranking index ready",
    ]
    label_index = search.get_index(session)
    assert search.get_index(session) is label_index
    assert ranking.get_index(session) is ranking.get_index(session)
    search.clear_index_cache()
    ranking.clear_index_cache()


def test_the_master_warms_then_closes_its_connections(fresh_database_url):
    app = create_app({"DATABASE_URL": fresh_database_url, "SECRET_KEY": "gunicorn-test"})
    said: list[str] = []
    server = SimpleNamespace(
        app=SimpleNamespace(wsgi=lambda: app), log=SimpleNamespace(info=said.append)
    )
    engine = app.extensions[EXTENSION].kw["bind"]
    try:
        gunicorn_conf.when_ready(server)
        assert len(said) == 2 and all("index ready" in line for line in said)
        assert engine.pool.checkedin() == 0  # nothing a forked worker could share
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        engine.dispose()
        search.clear_index_cache()
        ranking.clear_index_cache()
    assert gunicorn_conf.preload_app is True
