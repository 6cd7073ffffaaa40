"""The dashboard page: who may see it, its filters, its charts, its CSV files, in two languages."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from tests.factories import make_organisation
from tests.matcher.profiles.builders import make_client
from tests.matcher.vacancies.builders import make_proposal, make_vacancy


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def clients(session):
    """Two partners: Shelter North with two clients in 2025, Shelter South with one."""
    north = make_organisation(session, name="Shelter North")
    south = make_organisation(session, name="Shelter South")
    vacancy = make_vacancy(session)
    for organisation, created in ((north, at(2025, 1, 10)), (north, at(2025, 3, 3)),
                                  (south, at(2025, 3, 20))):  # fmt: skip
        client = make_client(session, organisation=organisation, created_at=created,
                             last_activity_at=created)  # fmt: skip
        make_proposal(session, client, vacancy, created_at=created)
    session.commit()
    return north, south


def summary(page: str, figure: str) -> str:
    """The number in the summary table's row of a figure."""
    row = page.split(f'<th scope="row">{figure}</th>', 1)[1]
    return row.split('<td class="number">', 1)[1].split("</td>", 1)[0]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.location
    assert client.get("/dashboard/summary.csv").status_code == 302


@pytest.mark.parametrize("role", ["coach", "employer"])
def test_coaches_and_employers_may_not_see_the_dashboard(client, login, role):
    login(role=role)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/summary.csv").status_code == 403


@pytest.mark.parametrize("role", ["mediator", "admin"])
def test_mediators_and_admins_find_the_dashboard_in_the_menu(client, login, role):
    login(role=role)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/dashboard"' in home
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "<h1>Dashboard</h1>" in page.get_data(as_text=True)


def test_the_period_filter_counts_clients_of_the_chosen_months(client, login, clients):
    login(role="mediator")
    page = client.get("/dashboard?from=2025-03-01&to=2025-03-31").get_data(as_text=True)
    assert summary(page, "New clients") == "2"
    assert summary(page, "Proposals made") == "2"
    assert summary(page, "Partner organisations active") == "2"
    page = client.get("/dashboard?from=2025-01-01&to=2025-12-31").get_data(as_text=True)
    assert summary(page, "New clients") == "3"
    assert 'value="2025-01-01"' in page


def test_the_organisation_filter_counts_only_its_clients(client, login, clients):
    north, _south = clients
    login(role="mediator")
    page = client.get(f"/dashboard?from=2025-01-01&to=2025-12-31&organisation={north.id}").get_data(
        as_text=True
    )
    assert summary(page, "New clients") == "2"
    assert "Shelter North" in page.split("<caption>Partner organisations active")[1]
    assert "Shelter South" not in page.split("<caption>Partner organisations active")[1]


def test_the_charts_are_svg_drawn_on_the_server_with_their_data_table(client, login, clients):
    login(role="mediator")
    page = client.get("/dashboard?from=2025-01-01&to=2025-03-31").get_data(as_text=True)
    assert page.count('<svg role="img"') == 2
    assert '<title id="chart-new-clients-title">New clients per month</title>' in page
    assert "<script" not in page
    # Three months, three bars, and the same counts in the table next to the chart.
    chart = page.split('id="chart-new-clients-title"')[1].split("</svg>")[0]
    assert chart.count('<rect class="bar"') == 3
    table = page.split("<caption>New clients per month</caption>")[1].split("</table>")[0]
    for month, count in (("2025-01", 1), ("2025-02", 0), ("2025-03", 2)):
        assert re.search(rf'<th scope="row">{month}</th>\s*<td class="number">{count}</td>', table)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-02-30", "Not a valid date value."),
        ("from=2025-05-01&to=2025-01-01", "The start of the period must not be after its end."),
        ("organisation=99999", "Not a valid choice."),
    ],
)
def test_wrong_filters_are_explained_and_the_default_period_shown(client, login, query, message):
    login(role="mediator")
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get(f"/dashboard/summary.csv?{query}").status_code == 400


def test_every_table_downloads_as_csv_with_the_same_filters(client, login, clients):
    north, _south = clients
    login(role="mediator")
    page = client.get("/dashboard?from=2025-01-01&to=2025-03-31").get_data(as_text=True)
    for name in ("summary", "new-clients", "proposals", "reject-reasons", "follow-up",
                 "employers", "partners"):  # fmt: skip
        assert f"/dashboard/{name}.csv?from=2025-01-01&amp;to=2025-03-31" in page

    response = client.get(f"/dashboard/new-clients.csv?from=2025-01-01&to=2025-03-31"
                          f"&organisation={north.id}")  # fmt: skip
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="fairmatch-new-clients-2025-01-01_2025-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["Month", "New clients"], ["2025-01", "1"], ["2025-02", "0"], ["2025-03", "1"]]


def test_the_summary_csv_leaves_an_unknown_median_empty(client, login, clients):
    login(role="admin")
    response = client.get("/dashboard/summary.csv?from=2025-01-01&to=2025-03-31")
    rows = dict(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows["Figure"] == "Number"
    assert rows["New clients"] == "3"
    assert rows["Median days from first profile to hire"] == ""


def test_an_unknown_table_is_not_found(client, login):
    login(role="mediator")
    assert client.get("/dashboard/passwords.csv").status_code == 404


def test_the_dashboard_speaks_dutch(client, login, clients):
    login(role="mediator", language="nl")
    page = client.get("/dashboard?from=2025-01-01&to=2025-03-31").get_data(as_text=True)
    assert "Nieuwe cliënten per maand" in page
    assert summary(page, "Nieuwe cliënten") == "3"
    response = client.get("/dashboard/new-clients.csv?from=2025-01-01&to=2025-03-31")
    assert response.get_data(as_text=True).splitlines()[0] == "Maand,Nieuwe cliënten"
