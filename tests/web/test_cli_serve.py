"""`fairmatch run` builds the search index up front, so the first search is answered from it."""

from matcher.skills import search
from tests.factories import make_concept
from web.cli.serve import warm_search_index


def test_warming_builds_the_index_the_first_search_then_uses(session, session_factory, capsys):
    make_concept(
        session, kind="occupation", labels={"en": "forklift operator", "nl": "heftruckchauffeur"}
    )
    session.commit()
    search.clear_index_cache()

    warm_search_index(session_factory)

    assert "search index ready: 2 languages" in capsys.readouterr().err
    warmed = search.get_index(session)
    hits = search.search_concepts(session, "heftruk", kind="occupation")
    assert search.get_index(session) is warmed
    assert [hit.label for hit in hits] == ["forklift operator"]
    search.clear_index_cache()


def test_a_database_error_while_warming_is_reported_not_raised(tmp_path, capsys):
    from matcher.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    warm_search_index(make_session_factory(engine))
    assert "search index not built at start" in capsys.readouterr().err
    engine.dispose()
