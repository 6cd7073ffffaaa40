"""Coach pages of the client list and record: create, edit, languages, wishes, export, erase."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.models import AuditEvent
from matcher.profiles.models import Cefr, Client, ClientLanguage
from matcher.skills.search import clear_index_cache
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.skills.esco_sample import COOK, FORKLIFT_OPERATOR, OPERATE_FORKLIFT, add_concepts


@pytest.fixture(autouse=True)
def esco(session: Session) -> Iterator[None]:
    clear_index_cache()
    add_concepts(session)
    session.commit()
    yield
    clear_index_cache()


@pytest.fixture
def coach(login):
    return login("coach")


def _client(session: Session, coach, **fields) -> Client:
    client = make_client(session, coach=coach, **fields)
    session.commit()
    return client


def _events(session: Session, client: Client, action: str) -> list[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "client",
            AuditEvent.object_id == client.id,
            AuditEvent.action == action,
        )
    ).all()


def _routes(client_id: int) -> tuple[list[str], list[str]]:
    base = f"/coach/clients/{client_id}"
    gets = [base, f"{base}/edit", f"{base}/wishes?q=cook", f"{base}/export"]
    posts = [f"{base}/edit", f"{base}/languages", f"{base}/wishes", f"{base}/wishes/add",
             f"{base}/erase"]  # fmt: skip
    return gets, posts


def test_a_coach_creates_a_client_and_lands_on_the_record(client, session, coach):
    data = {"first_name": "Ana", "region": "Ede", "profile_language": "nl",
            "shifts_not_possible": ["night"]}  # fmt: skip
    response = client.post("/coach/clients/new", data=data)

    created = session.scalar(select(Client).where(Client.organisation_id == coach.organisation_id))
    assert response.status_code == 302
    assert response.location.endswith(f"/coach/clients/{created.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert created.code in page and "Ana" in page and "Ede" in page
    assert "night shifts" in page
    for heading in ("Skills", "Safety limits", "Consent", "Profile for the client"):
        assert f">{heading}</h2>" in page
    for link in ("skills", "safety", "profile"):
        assert f'href="/coach/clients/{created.id}/{link}"' in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"first_name": "Ana 2"}, "without digits"),
        ({"hours_per_week": "70"}, "between 1 and 60"),
        ({"max_travel_minutes": "-5"}, "between 0 and 600"),
        ({"profile_language": "xx"}, "Not a valid choice"),
        ({"work_allowed_from": "2027-01-01", "permit_ends_on": "2026-01-01"}, "cannot end before"),
        ({"earliest_start": "tomorrow"}, "Not a valid date value"),
    ],
)
def test_a_wrong_new_client_is_refused_with_a_message(client, session, coach, data, message):
    response = client.post("/coach/clients/new", data={"profile_language": "en", **data})

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(Client.id)) is None


def test_the_list_shows_the_organisations_clients_only(client, session, coach):
    mine = _client(session, coach, first_name="Ana", region="Ede")
    make_client_skill(session, mine, OPERATE_FORKLIFT)
    theirs = _client(session, make_user(session, role="coach"), first_name="Zora")
    session.commit()

    page = client.get("/coach/clients").get_data(as_text=True)

    assert mine.code in page and "Ana" in page and "Ede" in page
    assert theirs.code not in page and "Zora" not in page
    assert 'href="/coach/clients/new"' in page


def test_a_coach_edits_the_record_at_the_version_seen(client, session, coach):
    record = _client(session, coach, first_name="Ana")
    form = client.get(f"/coach/clients/{record.id}/edit").get_data(as_text=True)
    assert 'value="Ana"' in form
    data = {"version": record.version_id, "first_name": "B.", "profile_language": "en",
            "hours_per_week": "20", "notes": "Likes mornings."}  # fmt: skip

    assert client.post(f"/coach/clients/{record.id}/edit", data=data).status_code == 302
    stale = client.post(f"/coach/clients/{record.id}/edit", data={**data, "first_name": "C."})

    assert stale.status_code == 400
    assert "changed this client meanwhile" in stale.get_data(as_text=True)
    session.expire_all()
    assert (record.first_name, record.hours_per_week, record.notes) == ("B.", 20, "Likes mornings.")


def test_a_coach_adds_changes_and_removes_languages(client, session, coach):
    record = _client(session, coach)
    base = f"/coach/clients/{record.id}/languages"
    client.post(base, data={"rows-0-language": "ar", "rows-0-level": "native",
                            "rows-1-language": "nl", "rows-1-level": "A2"})  # fmt: skip
    response = client.post(base, data={"rows-0-language": "ar", "rows-0-level": "native",
                                       "rows-0-remove": "y", "rows-1-language": "nl",
                                       "rows-1-level": "B1", "rows-2-language": ""})  # fmt: skip

    assert response.status_code == 302
    rows = session.scalars(select(ClientLanguage).where(ClientLanguage.client_id == record.id))
    assert [(row.language, row.level) for row in rows] == [("nl", Cefr.B1)]
    page = client.get(f"/coach/clients/{record.id}").get_data(as_text=True)
    assert "Dutch" in page and "B1" in page


def test_a_language_listed_twice_is_refused(client, session, coach):
    record = _client(session, coach)
    response = client.post(f"/coach/clients/{record.id}/languages",
                           data={"rows-0-language": "nl", "rows-0-level": "A2",
                                 "rows-1-language": "nl", "rows-1-level": "B1"})  # fmt: skip
    assert response.status_code == 400
    assert "listed twice" in response.get_data(as_text=True)
    assert session.scalar(select(ClientLanguage.id)) is None


def test_a_coach_finds_an_occupation_and_adds_it_as_a_wish(client, session, coach):
    record = _client(session, coach)
    results = client.get(f"/coach/clients/{record.id}/wishes?q=heftruk").get_data(as_text=True)
    assert "forklift operator" in results and 'name="uri"' in results
    picked = client.get(f"/coach/clients/{record.id}/wishes?uri={COOK}").get_data(as_text=True)
    assert "cook" in picked

    client.post(f"/coach/clients/{record.id}/wishes/add", data={"uri": FORKLIFT_OPERATOR})
    wishes = {"occupations": [FORKLIFT_OPERATOR], "sectors": "Logistics\nHospitality"}
    client.post(f"/coach/clients/{record.id}/wishes", data=wishes)

    page = client.get(f"/coach/clients/{record.id}").get_data(as_text=True)
    assert "forklift operator" in page and "Logistics" in page and "Hospitality" in page
    refused = client.post(f"/coach/clients/{record.id}/wishes/add", data={"uri": OPERATE_FORKLIFT})
    assert refused.status_code == 400 and "No ESCO occupation" in refused.get_data(as_text=True)


def test_the_record_page_offers_the_occupation_type_ahead(client, session, coach):
    record = _client(session, coach)
    page = client.get(f"/coach/clients/{record.id}").get_data(as_text=True)
    assert 'data-typeahead-url="/api/esco/search"' in page
    assert f'data-concept-url="/coach/clients/{record.id}/wishes"' in page
    assert 'name="kind" value="occupation"' in page and "js/typeahead.js" in page


def test_every_look_at_a_record_is_audited(client, session, coach):
    record = _client(session, coach)
    client.get(f"/coach/clients/{record.id}")
    client.get(f"/coach/clients/{record.id}/edit")
    assert [event.actor_id for event in _events(session, record, "view")] == [coach.id] * 2


def test_the_export_is_a_json_download_not_kept_in_caches(client, session, coach):
    record = _client(session, coach, first_name="Ana", notes="Met at the shelter.")
    response = client.get(f"/coach/clients/{record.id}/export")

    assert response.status_code == 200 and response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="client-{record.code}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["client"]["notes"] == "Met at the shelter."
    assert _events(session, record, "export")


def test_erasing_needs_the_confirmation_and_a_reason(client, session, coach):
    record = _client(session, coach, first_name="Ana")
    url = f"/coach/clients/{record.id}/erase"
    response = client.post(url, data={"version": record.version_id, "reason": "Asked."})
    assert response.status_code == 400 and "Tick the box to confirm." in response.get_data(True)
    response = client.post(url, data={"version": record.version_id, "confirm": "y"})
    assert response.status_code == 400 and "Give a reason." in response.get_data(True)
    session.expire_all()
    assert record.erased_at is None


def test_an_erased_client_is_gone_from_every_page(client, session, coach):
    record = _client(session, coach, first_name="Ana")
    response = client.post(f"/coach/clients/{record.id}/erase",
                           data={"version": record.version_id, "confirm": "y",
                                 "reason": "The client asked for it."})  # fmt: skip

    assert response.status_code == 302 and response.location.endswith("/coach/clients")
    assert "has been erased" in client.get(response.location).get_data(as_text=True)
    assert record.code not in client.get("/coach/clients").get_data(as_text=True)
    gets, _ = _routes(record.id)
    for url in gets:
        assert client.get(url).status_code == 404, url
    session.expire_all()
    assert record.first_name is None and record.code == f"ERASED-{record.id}"


def test_a_mediator_reads_but_never_changes(client, session, login):
    owner = make_user(session, role="coach")
    record = _client(session, owner, first_name="Ana", notes="Only for the organisation.")
    login("mediator")

    assert record.code in client.get("/coach/clients").get_data(as_text=True)
    page = client.get(f"/coach/clients/{record.id}")
    assert page.status_code == 200 and record.code in page.get_data(as_text=True)
    assert "Only for the organisation." not in page.get_data(as_text=True)
    assert '<form method="post" action="/coach/clients/' not in page.get_data(as_text=True)
    gets, posts = _routes(record.id)
    for url in gets[1:]:
        assert client.get(url).status_code == 403, url
    for url in [*posts, "/coach/clients/new"]:
        assert client.post(url, data={"version": record.version_id}).status_code == 403, url
    session.expire_all()
    assert record.first_name == "Ana"


def test_another_organisations_coach_gets_403_everywhere(client, session, login):
    record = _client(session, make_user(session, role="coach"), first_name="Ana")
    login("coach")
    gets, posts = _routes(record.id)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"version": record.version_id}).status_code == 403, url
    assert not _events(session, record, "view")


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_get_403_on_every_client_page(client, session, login, role):
    record = _client(session, make_user(session, role="coach"))
    login(role)
    gets, posts = _routes(record.id)
    for url in ["/coach/clients", "/coach/clients/new", *gets]:
        assert client.get(url).status_code == 403, url
    for url in ["/coach/clients/new", *posts]:
        assert client.post(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client, session):
    record = _client(session, make_user(session, role="coach"))
    gets, posts = _routes(record.id)
    for url in ["/coach/clients", *gets]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    for url in posts:
        assert "/login" in client.post(url).location, url


def test_a_missing_client_is_404(client, coach):
    gets, posts = _routes(999_999)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url).status_code == 404, url


def test_the_pages_open_for_a_dutch_coach(client, session, login):
    coach = login("coach", language="nl")
    record = _client(session, coach, first_name="Ana", shifts_not_possible=["night"])
    base = f"/coach/clients/{record.id}"
    for url in [
        "/coach/clients",
        "/coach/clients/new",
        base,
        f"{base}/edit",
        f"{base}/wishes?q=kok",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="nl">' in response.get_data(as_text=True)


def _listed(html: str, clients: list[Client]) -> set[int]:
    return {c.id for c in clients if f'href="/coach/clients/{c.id}"' in html}


def test_a_long_client_list_comes_a_page_at_a_time(app, client, session, coach):
    app.config["PAGE_SIZE"] = 3
    made = [_client(session, coach) for _ in range(5)]

    first = client.get("/coach/clients").get_data(as_text=True)
    last = client.get("/coach/clients?page=2").get_data(as_text=True)

    assert len(_listed(first, made)) == 3 and "Showing 1–3 of 5" in first
    assert '<nav class="pager" aria-label="Pages of the client list">' in first
    assert 'href="/coach/clients?page=2"' in first and "?page=0" not in first
    assert _listed(last, made) == {c.id for c in made} - _listed(first, made)
    assert 'href="/coach/clients?page=1"' in last and "?page=3" not in last


@pytest.mark.parametrize("asked, shown", [
    ("abc", 1), ("0", 1), ("-2", 1), ("1.5", 1), ("99999999999999999999999", 2), ("2", 2),
])  # fmt: skip
def test_a_page_that_does_not_exist_shows_the_first_or_the_last(
    app, client, session, coach, asked, shown
):
    app.config["PAGE_SIZE"] = 3
    [_client(session, coach) for _ in range(5)]

    response = client.get(f"/coach/clients?page={asked}")

    assert response.status_code == 200
    assert f"Page {shown} of 2" in response.get_data(as_text=True)


def test_a_mediator_pages_through_every_organisations_clients(app, client, session, login):
    app.config["PAGE_SIZE"] = 2
    made = [_client(session, make_user(session, role="coach")) for _ in range(3)]
    login("mediator")

    pages = [client.get(f"/coach/clients?page={n}").get_data(as_text=True) for n in (1, 2)]

    assert [len(_listed(html, made)) for html in pages] == [2, 1]
    assert "Showing 3–3 of 3" in pages[1]


def test_each_language_row_shows_its_own_language_chosen(client, session, coach):
    record = _client(session, coach)
    client.post(f"/coach/clients/{record.id}/languages",
                data={"rows-0-language": "ar", "rows-0-level": "native",
                      "rows-1-language": "nl", "rows-1-level": "A2"})  # fmt: skip
    page = client.get(f"/coach/clients/{record.id}").get_data(as_text=True)

    def chosen(row: int) -> list[str]:
        select = re.search(rf'<select[^>]*name="rows-{row}-language".*?</select>', page, re.S)
        return re.findall(r'<option selected value="([^"]*)"', select.group(0))

    # Saved rows come back in the order stored; the empty row offers the choice again.
    assert sorted([*chosen(0), *chosen(1)]) == ["ar", "nl"]
    assert chosen(2) == [""]
    assert page.count('value="de">') == 3  # every row offers every language
