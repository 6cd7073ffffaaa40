"""The demo world, a signed-in client per role, and the forms its pages show (hostile input).

The forms are harvested from the pages a crawl reaches, so every POST route is exercised with the
fields a browser would send (its valid baseline) before hypothesis breaks them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from matcher.demo import DEMO_PASSWORD, seed_demo
from tests.matcher.demo_concepts import add_demo_concepts
from tests.web.conftest import make_test_app

ROLES = ("coach", "mediator", "employer", "admin", "anonymous")
SIGN_IN = {
    "coach": "coach@demo.test",
    "mediator": "mediator@demo.test",
    "employer": "bakery@demo.test",
    "admin": "admin@demo.test",
}
# Tables a refused request may still write to: the sign-in throttle counts failed attempts.
SIDE_EFFECT_TABLES = frozenset({"login_attempt", "rate_limit_hit"})
# Pages a crawl must not follow: they end the session or only download.
NOT_FOLLOWED = ("/logout", "/static/", ".pdf", ".csv", "/export", "/employer/evidence/")
PAGES_PER_ENDPOINT = 2
# Where a crawl starts: the home page, and the pages strangers may open.
START = ("/", "/login", "/employer/register")


@dataclass(frozen=True)
class Control:
    """One named form control, as the page rendered it."""

    name: str
    kind: str  # text, textarea, number, date, hidden, checkbox, radio, select, email, file, ...
    value: str
    checked: bool = False
    options: tuple[str, ...] = ()


@dataclass
class HarvestedForm:
    role: str
    method: str
    action: str
    endpoint: str
    view_args: dict
    controls: list[Control] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    offered: bool = True  # a page showed this form (False: written by hand for a missing state)

    @property
    def multipart(self) -> bool:
        return any(c.kind == "file" for c in self.controls)

    def baseline(self) -> list[tuple[str, str]]:
        """What a browser sends when the form is submitted untouched (first named button)."""
        pairs: list[tuple[str, str]] = []
        radios_done: set[str] = set()
        for control in self.controls:
            if control.kind == "checkbox":
                if control.checked:
                    pairs.append((control.name, control.value or "y"))
            elif control.kind == "radio":
                if control.checked and control.name not in radios_done:
                    pairs.append((control.name, control.value))
                    radios_done.add(control.name)
            elif control.kind == "file":
                continue
            else:
                pairs.append((control.name, control.value))
        if self.buttons:
            pairs.append(self.buttons[0])
        return pairs


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "controls": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                self._form["buttons"].append((a["name"], a.get("value", "")))
            else:
                self._form["controls"].append(
                    Control(a["name"], kind, a.get("value", ""), "checked" in a)
                )
        elif tag == "button" and a.get("name"):
            self._form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "selected": None}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["selected"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            options = tuple(s["options"])
            value = s["selected"] if s["selected"] is not None else (options[0] if options else "")
            self._form["controls"].append(Control(s["name"], "select", value, options=options))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            t = self._textarea
            # A browser drops the one newline WTForms writes after <textarea>.
            value = t["text"].removeprefix("\r\n").removeprefix("\n")
            self._form["controls"].append(Control(t["name"], "textarea", value))
            self._textarea = None


def _match(adapter: MapAdapter, path: str, method: str) -> tuple[str, dict] | None:
    try:
        return adapter.match(path, method=method)
    except HTTPException:
        return None


def crawl(app: Flask, clients: dict[str, FlaskClient]) -> list[HarvestedForm]:
    """Follow every in-site link each role can reach; collect the forms of every page seen."""
    adapter = app.url_map.bind("localhost")
    forms: list[HarvestedForm] = []
    for role, client in clients.items():
        seen: set[str] = set()
        per_endpoint: dict[str, int] = {}
        queue = list(START)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            parser = _FormParser()
            parser.feed(response.get_data(as_text=True))
            for raw in parser.forms:
                action = raw["action"] or url
                path = urlsplit(action).path or urlsplit(url).path
                method = "POST" if raw["method"] == "post" else "GET"
                matched = _match(adapter, path, method)
                if matched is None:
                    continue
                forms.append(
                    HarvestedForm(
                        role,
                        method,
                        path,
                        matched[0],
                        matched[1],
                        raw["controls"],
                        raw["buttons"],
                    )
                )
            for href in parser.links:
                href = urldefrag(href).url
                target = urlsplit(href)
                if target.scheme or target.netloc or not target.path.startswith("/"):
                    continue
                if any(part in href for part in NOT_FOLLOWED) or href in seen:
                    continue
                matched = _match(adapter, target.path, "GET")
                if matched is None:
                    continue
                count = per_endpoint.get(matched[0], 0)
                if count >= PAGES_PER_ENDPOINT:
                    continue
                per_endpoint[matched[0]] = count + 1
                queue.append(href)
    return forms


def snapshot(connection: Connection, skip: frozenset[str] = SIDE_EFFECT_TABLES) -> dict:
    """Every row of every table (sorted), to compare before and after a request."""
    tables = sorted(set(inspect(connection).get_table_names()) - skip)
    return {
        name: sorted(
            (tuple(map(repr, row)) for row in connection.execute(text(f'SELECT * FROM "{name}"'))),
        )
        for name in tables
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


@dataclass(repr=False)  # hypothesis prints its arguments: the forms would be 100s of kB
class World:
    connection: Connection
    app: Flask
    clients: dict[str, FlaskClient]
    forms: list[HarvestedForm]
    upload_dir: Path

    def __repr__(self) -> str:
        return f"World({len(self.forms)} forms)"

    def client(self, role: str) -> FlaskClient:
        """A new client signed in as the role: a hostile sign-out or flash stays in that one."""
        client = self.app.test_client()
        cookie = self.clients[role].get_cookie("session")
        if cookie is not None:
            client.set_cookie("session", cookie.value)
        return client

    def scalar(self, sql: str) -> int | None:
        return self.connection.execute(text(sql)).scalar()

    def forms_of_method(self, method: str) -> list[HarvestedForm]:
        return [f for f in self.forms if f.method == method]


def build_world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo data in a transaction rolled back after the module; one crawl per module.

    A test module makes it its module-scoped fixture `world` with WORLD_FIXTURE."""
    upload_dir = tmp_path_factory.mktemp("hostile-uploads")
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        with factory() as session:
            add_demo_concepts(session)
            seed_demo(session, upload_dir)
            session.commit()
        app = make_test_app(factory, UPLOAD_DIR=str(upload_dir))
        clients = {}
        for role in ROLES:
            client = app.test_client()
            if role in SIGN_IN:
                response = client.post(
                    "/login", data={"email": SIGN_IN[role], "password": DEMO_PASSWORD}
                )
                assert response.status_code == 302, role
            clients[role] = client
        yield World(connection, app, clients, crawl(app, clients), upload_dir)
        outer.rollback()


WORLD_FIXTURE = pytest.fixture(scope="module", name="world")(build_world)
