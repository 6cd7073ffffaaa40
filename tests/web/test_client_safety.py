"""The safety page: limits and consent, for the client's coaches; read-only for mediators."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.profiles.consent import give_consent, may_be_matched
from matcher.profiles.models import Client, Consent, LimitKind, SafetyLimit
from matcher.profiles.safety import add_area_limit, excluded_for
from tests.matcher.profiles.builders import make_client, make_employer_profile


def html_of(response) -> str:
    return response.get_data(as_text=True)


def url(client_id: int, rest: str = "") -> str:
    return f"/coach/clients/{client_id}/safety{rest}"


@pytest.fixture
def coach(login):
    return login("coach")


@pytest.fixture
def person(session, coach) -> Client:
    """A client of the signed-in coach's organisation, with one limit and one consent."""
    person = make_client(session, coach=coach)
    add_area_limit(session, coach, person.id, "Venlo")
    give_consent(session, coach, person.id, "matching")
    session.commit()
    return person


def limits(session, person) -> list[SafetyLimit]:
    session.expire_all()
    return list(session.scalars(select(SafetyLimit).where(SafetyLimit.client_id == person.id)))


def consents(session, person) -> list[Consent]:
    session.expire_all()
    return list(session.scalars(select(Consent).where(Consent.client_id == person.id)))


# Every POST route with form data that would change something.
def posts(session, person) -> list[tuple[str, dict]]:
    limit = limits(session, person)[0]
    consent = consents(session, person)[0]
    return [
        (url(person.id, "/limits/employer"), {"employer_limit-employer_name": "Bad BV",
                                              "employer_limit-relation": "itself"}),
        (url(person.id, "/limits/sector"), {"sector_limit-sector": "Cleaning"}),
        (url(person.id, "/limits/area"), {"area_limit-area": "Tiel"}),
        (url(person.id, f"/limits/{limit.id}/remove"), {}),
        (url(person.id, "/housing"), {"housing-housing_independent": "y"}),
        (url(person.id, "/consent/share_with_mediators/give"), {}),
        (url(person.id, f"/consent/{consent.id}/withdraw"), {}),
    ]  # fmt: skip


def unchanged(session, person) -> bool:
    return (
        [lim.area for lim in limits(session, person)] == ["Venlo"]
        and [c.withdrawn_at for c in consents(session, person)] == [None]
        and session.get(Client, person.id).housing_independent is False
    )


# Access


def test_the_coach_sees_both_sections(client, person):
    response = client.get(url(person.id))
    page = html_of(response)
    assert response.status_code == 200
    assert "Safety limits" in page and "Consent" in page
    assert "no score can override them" in page
    assert "with the client present" in page and "language they understand" in page
    assert "Venlo" in page
    assert page.count("<h1>") == 1


def test_a_coach_of_another_organisation_gets_403_everywhere(client, session, person, login):
    routes = posts(session, person)
    client.post("/logout")
    login("coach")
    assert client.get(url(person.id)).status_code == 403
    for path, data in routes:
        assert client.post(path, data=data).status_code == 403, path
    assert unchanged(session, person)


def test_a_mediator_reads_but_gets_403_on_every_change(client, session, person, login):
    routes = posts(session, person)
    client.post("/logout")
    login("mediator")
    page = html_of(client.get(url(person.id)))
    assert "Venlo" in page and '<form method="post" action="/coach' not in page
    for path, data in routes:
        assert client.post(path, data=data).status_code == 403, path
    assert unchanged(session, person)


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_get_403_everywhere(client, session, person, login, role):
    routes = posts(session, person)
    client.post("/logout")
    login(role)
    assert client.get(url(person.id)).status_code == 403
    for path, data in routes:
        assert client.post(path, data=data).status_code == 403, path
    assert unchanged(session, person)


def test_anonymous_visitors_go_to_login(client, session, person):
    routes = posts(session, person)
    client.post("/logout")
    response = client.get(url(person.id))
    assert response.status_code == 302 and "/login" in response.location
    for path, data in routes:
        response = client.post(path, data=data)
        assert response.status_code == 302 and "/login" in response.location, path
    assert unchanged(session, person)


def test_a_missing_client_is_404(client, coach, session, person):
    for path, data in [(url(999_999), {})] + [
        (path.replace(f"/{person.id}/", "/999999/"), data) for path, data in posts(session, person)
    ]:
        response = client.post(path, data=data) if path != url(999_999) else client.get(path)
        assert response.status_code == 404, path


def test_an_erased_client_is_404(client, session, person):
    person = session.get(Client, person.id)
    person.first_name, person.erased_at = None, utcnow()
    session.commit()
    assert client.get(url(person.id)).status_code == 404


def test_missing_limits_consents_and_purposes_are_404(client, person):
    assert client.post(url(person.id, "/limits/999999/remove")).status_code == 404
    assert client.post(url(person.id, "/consent/999999/withdraw")).status_code == 404
    assert client.post(url(person.id, "/consent/marketing/give")).status_code == 404


def test_every_view_is_audited(client, session, person, coach):
    client.get(url(person.id))
    views = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "view",
            AuditEvent.object_type == "client",
            AuditEvent.object_id == person.id,
        )
    ).all()
    assert [event.actor_id for event in views] == [coach.id]


# Limits


def test_avoiding_a_registered_employer(client, session, person):
    firm = make_employer_profile(session, legal_name="Orchard Betuwe", trade_names=["Appels"])
    session.commit()
    assert "Orchard Betuwe / Appels" in html_of(client.get(url(person.id)))
    response = client.post(
        url(person.id, "/limits/employer"),
        data={"employer_limit-employer": str(firm.id), "employer_limit-relation": "same_owners"},
        follow_redirects=True,
    )
    page = html_of(response)
    assert "The employer is on the client&#39;s limits." in page
    assert "Orchard Betuwe" in page and "a firm with the same owners" in page
    assert firm.id in excluded_for(session, session.get(Client, person.id)).employer_ids


def test_avoiding_a_firm_by_its_kvk_number_excludes_the_registered_one(client, session, person):
    firm = make_employer_profile(session, kvk_number="12345678")
    session.commit()
    client.post(
        url(person.id, "/limits/employer"),
        data={
            "employer_limit-registration_number": "1234 5678",
            "employer_limit-relation": "housing_provider",
        },
    )
    assert excluded_for(session, session.get(Client, person.id)).employer_ids == {firm.id}
    assert "registration number 1234 5678" in html_of(client.get(url(person.id)))


def test_an_employer_limit_without_employer_name_or_number_is_refused(client, session, person):
    response = client.post(
        url(person.id, "/limits/employer"), data={"employer_limit-relation": "itself"}
    )
    assert response.status_code == 400
    assert "Choose a registered employer, or enter a name or a registration number." in html_of(
        response
    )
    assert len(limits(session, person)) == 1


def test_an_employer_limit_needs_the_relation(client, session, person):
    response = client.post(
        url(person.id, "/limits/employer"), data={"employer_limit-employer_name": "Bad BV"}
    )
    assert response.status_code == 400
    assert "Choose how the firm relates to the employer." in html_of(response)
    assert len(limits(session, person)) == 1


def test_an_unknown_registered_employer_is_refused(client, session, person):
    response = client.post(
        url(person.id, "/limits/employer"),
        data={"employer_limit-employer": "999999", "employer_limit-relation": "itself"},
    )
    assert response.status_code == 400
    assert "No registered employer 999999." in html_of(response)


def test_adding_and_removing_a_sector_and_an_area(client, session, person):
    client.post(url(person.id, "/limits/sector"), data={"sector_limit-sector": "Meat"})
    response = client.post(
        url(person.id, "/limits/area"), data={"area_limit-area": "Tiel"}, follow_redirects=True
    )
    assert "The area is on the client&#39;s limits." in html_of(response)
    kinds = {lim.kind: lim for lim in limits(session, person)}
    assert {LimitKind.SECTOR, LimitKind.AREA} <= set(kinds)
    sector = kinds[LimitKind.SECTOR]
    response = client.post(url(person.id, f"/limits/{sector.id}/remove"), follow_redirects=True)
    assert "The limit has been removed." in html_of(response)
    assert sorted(lim.area for lim in limits(session, person)) == ["Tiel", "Venlo"]


def test_a_repeated_or_empty_area_is_refused(client, session, person):
    response = client.post(url(person.id, "/limits/area"), data={"area_limit-area": " venlo "})
    assert response.status_code == 400
    assert "The area venlo is already avoided." in html_of(response)
    response = client.post(url(person.id, "/limits/area"), data={"area_limit-area": "  "})
    assert response.status_code == 400
    assert "Enter the municipality or area to avoid." in html_of(response)
    response = client.post(
        url(person.id, "/limits/sector"), data={"sector_limit-sector": "x" * 101}
    )
    assert response.status_code == 400
    assert len(limits(session, person)) == 1


def test_housing_must_not_depend_on_the_employer(client, session, person):
    client.post(url(person.id, "/housing"), data={"housing-housing_independent": "y"})
    session.expire_all()
    assert excluded_for(session, session.get(Client, person.id)).housing_independent
    page = html_of(client.get(url(person.id)))
    assert re.search(r'<input(?=[^>]*name="housing-housing_independent")[^>]*\bchecked', page)
    client.post(url(person.id, "/housing"), data={})
    session.expire_all()
    assert not session.get(Client, person.id).housing_independent


# Consent


def test_withdrawing_matching_consent_takes_the_client_out_of_matching(client, session, person):
    today = utcnow().date()
    assert may_be_matched(session, person, today)
    consent = consents(session, person)[0]
    response = client.post(url(person.id, f"/consent/{consent.id}/withdraw"), follow_redirects=True)
    assert "The withdrawal has been recorded." in html_of(response)
    assert not may_be_matched(session, session.get(Client, person.id), today)
    assert html_of(response).count("withdrawn") >= 1


def test_recording_consent_again_after_a_withdrawal_keeps_the_history(
    client, session, person, coach
):
    consent = consents(session, person)[0]
    client.post(url(person.id, f"/consent/{consent.id}/withdraw"))
    response = client.post(url(person.id, "/consent/matching/give"), follow_redirects=True)
    assert "The consent has been recorded." in html_of(response)
    assert [c.withdrawn_at is None for c in consents(session, person)] == [False, True]
    page = html_of(response)
    assert page.count(f"by {coach.email}") == 3  # given twice, withdrawn once


def test_consent_already_in_force_is_refused(client, session, person):
    response = client.post(url(person.id, "/consent/matching/give"))
    assert response.status_code == 400
    assert "Consent for matching is already in force" in html_of(response)
    assert len(consents(session, person)) == 1


def test_sharing_with_one_employer_needs_the_employer(client, session, person):
    firm = make_employer_profile(session, legal_name="Fair Farms")
    pending = make_employer_profile(session, legal_name="Not Yet Vetted", status="pending")
    session.commit()
    page = html_of(client.get(url(person.id)))
    assert "Fair Farms" in page and "Not Yet Vetted" not in page.split('id="consent"')[1]
    response = client.post(url(person.id, "/consent/share_with_employer/give"))
    assert response.status_code == 400
    assert "Choose the employer." in html_of(response)
    response = client.post(
        url(person.id, "/consent/share_with_employer/give"),
        data={"give_share_with_employer-employer": str(firm.id)},
        follow_redirects=True,
    )
    assert "The consent has been recorded." in html_of(response)
    assert {c.employer_id for c in consents(session, person)} == {None, firm.id}
    assert pending.id not in {c.employer_id for c in consents(session, person)}


def test_an_end_date_in_the_past_or_not_a_date_is_refused(client, session, person):
    data = {"give_share_with_mediators-ends_on": "2000-01-01"}
    response = client.post(url(person.id, "/consent/share_with_mediators/give"), data=data)
    assert response.status_code == 400
    assert "A consent cannot end before today." in html_of(response)
    data = {"give_share_with_mediators-ends_on": "soon"}
    response = client.post(url(person.id, "/consent/share_with_mediators/give"), data=data)
    assert response.status_code == 400
    assert len(consents(session, person)) == 1


def test_changes_are_audited_with_the_coach(client, session, person, coach):
    client.post(url(person.id, "/limits/sector"), data={"sector_limit-sector": "Meat"})
    client.post(url(person.id, "/consent/share_with_mediators/give"))
    actions = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == person.id,
            AuditEvent.object_type == "client",
            AuditEvent.actor_id == coach.id,
            AuditEvent.action != "view",
        )
    ).all()
    assert actions[-2:] == ["add_limit", "give_consent"]


def test_a_dutch_coach_gets_the_page_in_dutch(client, session, person, login):
    client.post("/logout")
    login("coach", organisation=session.get(Client, person.id).organisation, language="nl")
    response = client.get(url(person.id))
    assert response.status_code == 200
    assert '<html lang="nl">' in html_of(response)
