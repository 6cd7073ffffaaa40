"""Real concurrent sessions on a committed database: threads that meet at a barrier.

`race` runs callables in threads started together; `both_read_first` holds every racing thread
at its first flush until all have reached it, so each has read the state it acts on before any
of them writes: the overlap the tests are about happens every time, not by luck.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent
from matcher.db import make_engine, make_session_factory
from matcher.employers.services import decide_vetting
from matcher.employers.signals import report_signal, start_review
from matcher.profiles.models import ConsentPurpose
from tests.factories import make_user
from tests.matcher.employers.builders import TODAY, submitted
from tests.matcher.matching.test_proposals import consent
from tests.matcher.profiles.builders import make_client
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

WAIT = 60  # seconds a barrier waits before it breaks: a deadlock fails the test, never hangs it


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    """An engine and a session factory over an empty, migrated database that tests commit to."""
    engine = make_engine(fresh_database_url)
    yield engine, make_session_factory(engine)
    engine.dispose()


def race(*actions: Callable[[], Any]) -> list[Outcome]:
    """Run the actions in threads released together; what each returned or raised, in order."""
    start = threading.Barrier(len(actions), timeout=WAIT)
    outcomes = [Outcome() for _ in actions]

    def run(index: int) -> None:
        try:
            start.wait()
            outcomes[index].value = actions[index]()
        except BaseException as exc:  # reported to the test, which asserts on it
            outcomes[index].error = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a racing thread never finished"
    return outcomes


@pytest.fixture
def both_read_first(committed) -> Iterator[Callable[[int], None]]:
    """Arm it with the number of racers: each racer's first flush waits until all have arrived.

    A racer arrives when it reaches its own first flush (it has read what it acts on), or, on
    SQLite, when it starts its transaction: there writers take the lock at BEGIN, so a racer
    waiting there cannot read before the one holding the lock commits (that is the point).
    """
    engine, _ = committed
    sqlite = engine.dialect.name == "sqlite"
    arrived = threading.Condition()
    state: dict[str, int] = {"parties": 0, "count": 0}
    local = threading.local()

    def arrive() -> None:
        if not getattr(local, "arrived", False) and state["parties"]:
            local.arrived = True
            with arrived:
                state["count"] += 1
                arrived.notify_all()

    def on_statement(conn, cursor, statement: str, *args) -> None:
        if sqlite and statement.startswith("BEGIN"):
            arrive()

    def before_flush(session: Session, flush_context, instances) -> None:
        if getattr(local, "flushed", False) or not state["parties"]:
            return
        local.flushed = True
        arrive()
        with arrived:
            assert arrived.wait_for(lambda: state["count"] >= state["parties"], WAIT)

    def arm(parties: int) -> None:
        state["parties"] = parties

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(Session, "before_flush", before_flush)
    yield arm
    event.remove(Session, "before_flush", before_flush)
    event.remove(engine, "before_cursor_execute", on_statement)


def told(outcomes: list[Outcome], kind: type[BaseException]) -> tuple[list[Any], list[str]]:
    """The winners' values and the losers' messages; anything else raised fails the test."""
    unexpected = [o.error for o in outcomes if o.error and not isinstance(o.error, kind)]
    assert not unexpected, f"a racer crashed instead of being told: {unexpected!r}"
    return [o.value for o in outcomes if o.error is None], [
        str(o.error) for o in outcomes if o.error is not None
    ]


# What the mediators race on: committed rows, and two mediators each


def mediators(session, n: int = 2) -> list[int]:
    return [make_user(session, role="mediator").id for _ in range(n)]


def audit_actions(factory, object_type: str, object_id: int) -> list[str]:
    with factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
                .order_by(AuditEvent.id)
            )
        )


@pytest.fixture
def proposal(committed):
    _, factory = committed
    with factory() as setup:
        client = make_client(setup)
        consent(setup, client, ConsentPurpose.MATCHING)
        row = make_proposal(setup, client, make_vacancy(setup))
        ids = row.id, row.version_id, mediators(setup)
        setup.commit()
    return ids


@pytest.fixture
def submission(committed):
    _, factory = committed
    with factory() as setup:
        profile, _, row = submitted(setup)
        ids = profile.id, row.id, row.version_id, mediators(setup)
        setup.commit()
    return ids


@pytest.fixture
def signal(committed):
    _, factory = committed
    with factory() as setup:
        profile, _, row = submitted(setup)
        decide_vetting(
            setup, make_user(setup, role="mediator"), row.id, row.version_id, "approved",
            today=TODAY,
        )  # fmt: skip
        reported = report_signal(setup, None, text="Passports kept.", employer_id=profile.id)
        ids = profile.id, reported.id, reported.version_id, mediators(setup)
        setup.commit()
    return ids


@pytest.fixture
def signal_in_review(committed, signal):
    _, factory = committed
    profile_id, signal_id, shown, team = signal
    with factory() as setup:
        start_review(setup, setup.get(User, team[0]), signal_id, shown)
        setup.commit()
    return profile_id, signal_id, shown + 1, team
