"""The pages after approval: the employer's matches and card, the coach's view of a client's
proposals, and the mediators' placement follow-up."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.matching.cards import card_reference, invite_to_interview
from matcher.matching.models import (
    Placement,
    PlacementStage,
    ProposalStatus,
)
from matcher.matching.placements import record_interview_outcome
from matcher.profiles.models import SkillSource
from tests.factories import PASSWORD, make_user
from tests.matcher.matching.placement_builders import make_shared_match
from tests.matcher.profiles.builders import make_client_skill, make_client_with_secrets
from tests.matcher.skills.esco_sample import JAVA, add_concepts
from tests.queries import statements_run
from tests.web.conftest import make_test_app


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    session.commit()


@pytest.fixture
def match(session):
    found = make_shared_match(session)
    session.commit()
    return found


def html_of(response) -> str:
    return response.get_data(as_text=True)


def switch_to(client, login, role, **fields):
    """Sign out, then in as a new user (/login keeps whoever is already signed in)."""
    client.post("/logout")
    return login(role, **fields)


def as_employer(login, match, **fields):
    return login("employer", organisation=match.employer.organisation, **fields)


def as_coach(login, match, **fields):
    return login("coach", organisation=match.coach.organisation, **fields)


def reload(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


def placement_of(session, proposal) -> Placement | None:
    session.expire_all()
    return session.scalar(select(Placement).where(Placement.proposal_id == proposal.id))


def hire(session, match, start=date(2026, 1, 5)) -> Placement:
    """Invite (in the past, so the follow-up checks are already due) and record the hire."""
    placement = invite_to_interview(session, match.employer_user, match.proposal.id,
                                    interview_on=None, today=date(2025, 12, 1))  # fmt: skip
    record_interview_outcome(session, match.coach, placement.id, hired=True, start_date=start)
    session.commit()
    return placement


# --- the employer's card --------------------------------------------------------------------


def test_the_card_page_never_shows_anything_sensitive(session, client, login):
    coach = make_user(session, role="coach")
    person, secrets = make_client_with_secrets(session, coach)
    # A skill found in the intake notes keeps the notes' words; the mediator's note is internal.
    make_client_skill(session, person, JAVA, source=SkillSource.NOTES,
                      source_detail="programmed tills at the Oldfarm dormitory")  # fmt: skip
    note = "Escaped via Shadowrecruit; see the shelter file."
    match = make_shared_match(session, coach=coach, client=person, decision_note=note)
    session.commit()
    as_employer(login, match)

    response = client.get(f"/employer/matches/{match.proposal.id}")

    html = html_of(response)
    assert response.status_code == 200
    assert card_reference(match.proposal.id) in html
    assert "operate forklift" in html and "weld metal parts" in html and "Java" in html
    for secret in [*secrets, person.code, person.first_name]:
        assert secret not in html, secret
    listing = html_of(client.get("/employer/matches"))
    assert card_reference(match.proposal.id) in listing
    for secret in [*secrets, person.code, person.first_name]:
        assert secret not in listing, secret


def test_another_employer_gets_404(session, client, login, match):
    login("employer")
    assert client.get(f"/employer/matches/{match.proposal.id}").status_code == 404
    assert card_reference(match.proposal.id) not in html_of(client.get("/employer/matches"))
    data = {"invite-version": match.proposal.version_id}
    assert (
        client.post(f"/employer/matches/{match.proposal.id}/invite", data=data).status_code == 404
    )
    assert reload(session, match.proposal).status == ProposalStatus.APPROVED


def test_no_card_without_consent_or_before_approval(session, client, login):
    no_consent = make_shared_match(session, consent=False)
    proposed = make_shared_match(session, employer=no_consent.employer,
                                 employer_user=no_consent.employer_user,
                                 status=ProposalStatus.PROPOSED)  # fmt: skip
    session.commit()
    as_employer(login, no_consent)
    for shared in (no_consent, proposed):
        assert client.get(f"/employer/matches/{shared.proposal.id}").status_code == 404
    assert "No matches yet." in html_of(client.get("/employer/matches"))


def test_only_employers_open_the_employer_pages(client, login, match):
    as_coach(login, match)
    assert client.get(f"/employer/matches/{match.proposal.id}").status_code == 403
    assert client.get("/employer/matches").status_code == 403


def test_an_invitation_creates_the_placement_and_a_second_one_is_told(session, client, login,
                                                                      match):  # fmt: skip
    as_employer(login, match)
    on = date.today() + timedelta(days=4)
    data = {"invite-interview_on": on.isoformat(), "invite-note": "Bring your safety shoes.",
            "invite-version": match.proposal.version_id}  # fmt: skip
    url = f"/employer/matches/{match.proposal.id}/invite"

    response = client.post(url, data=data)

    assert response.status_code == 302
    assert reload(session, match.proposal).status == ProposalStatus.INVITED
    placement = placement_of(session, match.proposal)
    assert (placement.stage, placement.interview_on) == (PlacementStage.INTERVIEW, on)
    again = client.post(url, data=data)
    assert again.status_code == 409
    assert "already been answered" in html_of(again)
    assert len(session.scalars(select(Placement)).all()) == 1


def test_a_decline_needs_a_reason(session, client, login, match):
    as_employer(login, match)
    url = f"/employer/matches/{match.proposal.id}/decline"
    version = match.proposal.version_id

    missing = client.post(url, data={"decline-reason": "", "decline-version": version})
    other = client.post(url, data={"decline-reason": "other", "decline-version": version})

    assert missing.status_code == 400 and "Choose why you decline." in html_of(missing)
    assert other.status_code == 400 and "Say in a few words why you decline." in html_of(other)
    assert reload(session, match.proposal).status == ProposalStatus.APPROVED
    done = client.post(url, data={"decline-reason": "position_filled", "decline-version": version})
    assert done.status_code == 302
    proposal = reload(session, match.proposal)
    assert (proposal.status, proposal.decline_reason) == (
        ProposalStatus.DECLINED,
        "position_filled",
    )
    assert placement_of(session, match.proposal) is None


def test_an_interview_date_in_the_past_is_refused(session, client, login, match):
    as_employer(login, match)
    response = client.post(f"/employer/matches/{match.proposal.id}/invite",
                           data={"invite-interview_on": "2020-01-01",
                                 "invite-version": match.proposal.version_id})  # fmt: skip
    assert response.status_code == 400
    assert "cannot be in the past" in html_of(response)
    assert reload(session, match.proposal).status == ProposalStatus.APPROVED


# --- the coach's view ---------------------------------------------------------------------------


def test_the_coach_sees_the_proposals_with_next_steps_and_the_card(session, client, login):
    coach = make_user(session, role="coach")
    waiting = make_shared_match(session, coach=coach, consent=False,
                                status=ProposalStatus.WAITING_FOR_CONSENT)  # fmt: skip
    introduced = make_shared_match(session, coach=coach, client=waiting.client)
    session.commit()
    as_coach(login, waiting)

    response = client.get(f"/coach/clients/{waiting.client.id}/proposals")

    html = html_of(response)
    assert response.status_code == 200
    assert f"Waiting for your client's consent to share with {waiting.employer.legal_name}" in html
    assert f"/coach/clients/{waiting.client.id}/safety#consent" in html
    assert "Introduced: waiting for the employer." in html
    assert card_reference(introduced.proposal.id) in html


def test_a_coach_of_another_organisation_or_an_employer_is_refused(client, login, match):
    login("coach")
    assert client.get(f"/coach/clients/{match.client.id}/proposals").status_code == 403
    switch_to(client, login, "employer")
    assert client.get(f"/coach/clients/{match.client.id}/proposals").status_code == 403


def test_the_coach_records_the_hire_from_the_proposals_page(session, client, login, match):
    placement = invite_to_interview(session, match.employer_user, match.proposal.id,
                                    interview_on=None)  # fmt: skip
    session.commit()
    as_coach(login, match)
    url = f"/coach/clients/{match.client.id}/placements/{placement.id}"
    prefix = f"outcome-{placement.id}"
    base = {f"{prefix}-outcome": "hired", f"{prefix}-version": placement.version_id,
            f"{prefix}-submit": "y"}  # fmt: skip

    missing = client.post(url, data=base)

    assert missing.status_code == 400
    assert "Enter the date the client starts work." in html_of(missing)
    assert placement_of(session, match.proposal).stage == PlacementStage.INTERVIEW
    done = client.post(url, data={**base, f"{prefix}-start_date": "2027-01-04"})
    assert done.status_code == 302
    found = placement_of(session, match.proposal)
    assert (found.stage, found.start_date) == (PlacementStage.HIRED, date(2027, 1, 4))
    page = html_of(client.get(f"/coach/clients/{match.client.id}/proposals"))
    assert "Hired from Jan 4, 2027, 3-month check due on Apr 4, 2027." in page


def test_a_coach_of_another_organisation_cannot_record(session, client, login, match):
    placement = invite_to_interview(session, match.employer_user, match.proposal.id,
                                    interview_on=None)  # fmt: skip
    session.commit()
    stranger = login("coach")
    prefix = f"outcome-{placement.id}"
    response = client.post(
        f"/coach/clients/{match.client.id}/placements/{placement.id}",
        data={f"{prefix}-outcome": "not_hired", f"{prefix}-reason": "not_ready",
              f"{prefix}-version": placement.version_id, f"{prefix}-submit": "y"},
    )  # fmt: skip
    assert response.status_code == 403 and stranger.organisation_id != match.client.organisation_id
    assert placement_of(session, match.proposal).stage == PlacementStage.INTERVIEW


# --- the mediators' follow-up -----------------------------------------------------------------


def test_the_mediator_sees_the_placements_and_what_is_due(session, client, login, match):
    placement = hire(session, match)
    login("mediator")

    page = html_of(client.get("/mediator/placements"))

    assert match.client.code in page
    assert f"/mediator/placements/{placement.id}" in page
    assert "3-month check due on Apr 5, 2026" in page
    assert match.client.code not in html_of(client.get("/mediator/placements?stage=not_hired"))


def test_the_placements_page_reads_the_same_number_of_queries_however_many_lines(
    session, client, login, engine, match
):
    login("mediator")

    def queries_for_the_page() -> int:
        with statements_run(engine) as statements:
            page = html_of(client.get("/mediator/placements"))
        assert page.count('href="/mediator/placements/') == len(made)
        return len(statements)

    made = [hire(session, match)]
    few = queries_for_the_page()
    for _ in range(3):
        made.append(hire(session, make_shared_match(session)))
    session.commit()

    assert queries_for_the_page() == few


def test_many_placements_come_a_page_at_a_time_the_stage_kept(app, session, client, login, match):
    app.config["PAGE_SIZE"] = 2
    made = [hire(session, match)] + [hire(session, make_shared_match(session)) for _ in range(2)]
    login("mediator")

    first = html_of(client.get("/mediator/placements?stage=hired"))
    last = html_of(client.get("/mediator/placements?stage=hired&page=2"))

    def listed(page):
        return {p.id for p in made if f'href="/mediator/placements/{p.id}"' in page}

    assert len(listed(first)) == 2 and listed(last) == {p.id for p in made} - listed(first)
    assert '<nav class="pager" aria-label="Pages of the placements">' in first
    assert 'href="/mediator/placements?stage=hired&amp;page=2"' in first


def test_the_mediator_records_the_checks_in_order(session, client, login, match):
    placement = hire(session, match, start=date.today() - timedelta(days=100))
    login("mediator")
    url = f"/mediator/placements/{placement.id}"
    prefix = f"check-{placement.id}"

    def check(months):
        version = placement_of(session, match.proposal).version_id
        data = {f"{prefix}-months": months, f"{prefix}-working": "yes",
                f"{prefix}-version": version, f"{prefix}-submit": "y"}  # fmt: skip
        return client.post(url, data=data)

    early = check(6)
    assert early.status_code == 409 and "Record the 3-month check first." in html_of(early)
    assert check(3).status_code == 302
    too_soon = check(6)
    assert too_soon.status_code == 400 and "can be recorded from" in html_of(too_soon)
    found = placement_of(session, match.proposal)
    assert (found.working_after_3_months, found.working_after_6_months) == (True, None)
    assert found.recorded_3_months_at is not None
    page = html_of(client.get(url))
    # The 6-month check's form waits for its date.
    assert "Still working after 3 months" in page and f"{prefix}-working" not in page


def test_only_mediators_open_the_placement_pages(session, client, login, match):
    placement = hire(session, match)
    as_coach(login, match)
    assert client.get("/mediator/placements").status_code == 403
    assert client.get(f"/mediator/placements/{placement.id}").status_code == 403


def test_a_missing_placement_is_404(client, login):
    login("mediator")
    assert client.get("/mediator/placements/999999").status_code == 404


# --- Dutch and CSRF -------------------------------------------------------------------------


def test_the_pages_render_in_dutch(session, client, login, match):
    match.client.earliest_start = None
    placement = hire(session, match)
    as_employer(login, match, language="nl")
    card = html_of(client.get(f"/employer/matches/{match.proposal.id}"))
    assert '<html lang="nl">' in card and "Talen" in card and "heftruck besturen" in card
    switch_to(client, login, "coach", organisation=match.coach.organisation, language="nl")
    proposals = html_of(client.get(f"/coach/clients/{match.client.id}/proposals"))
    assert '<html lang="nl">' in proposals and "Vaardigheden" in proposals
    switch_to(client, login, "mediator", language="nl")
    for url in ("/mediator/placements", f"/mediator/placements/{placement.id}"):
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="nl">' in html_of(response)


def token_in(response, name: str) -> str:
    found = re.search(rf'name="{name}"(?: type="hidden")? value="([^"]+)"', html_of(response))
    assert found, name
    return found.group(1)


def signed_in_with_csrf(session_factory, user):
    browser = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    token = token_in(browser.get("/login"), "csrf_token")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert browser.post("/login", data=data).status_code == 302
    return browser


def test_every_form_needs_its_csrf_token(session, session_factory, match):
    employer = make_user(session, role="employer", organisation=match.employer.organisation)
    placement_match = make_shared_match(session, coach=match.coach)
    placement = hire(session, placement_match)
    mediator = make_user(session, role="mediator")
    session.commit()
    browser = signed_in_with_csrf(session_factory, employer)
    version = {"invite-version": match.proposal.version_id, "decline-reason": "skills",
               "decline-version": match.proposal.version_id}  # fmt: skip
    for action in ("invite", "decline"):
        url = f"/employer/matches/{match.proposal.id}/{action}"
        assert browser.post(url, data=version).status_code == 400
    assert reload(session, match.proposal).status == ProposalStatus.APPROVED
    page = browser.get(f"/employer/matches/{match.proposal.id}")
    token = token_in(page, "invite-csrf_token")
    data = {"invite-version": match.proposal.version_id, "invite-csrf_token": token}
    invite = f"/employer/matches/{match.proposal.id}/invite"
    assert browser.post(invite, data=data).status_code == 302

    prefix = f"check-{placement.id}"
    version = placement_of(session, placement_match.proposal).version_id
    check = {f"{prefix}-months": 3, f"{prefix}-working": "yes", f"{prefix}-submit": "y",
             f"{prefix}-version": version}  # fmt: skip
    coach_url = f"/coach/clients/{placement_match.client.id}/placements/{placement.id}"
    by_coach = signed_in_with_csrf(session_factory, match.coach)
    assert by_coach.post(coach_url, data=check).status_code == 400
    by_mediator = signed_in_with_csrf(session_factory, mediator)
    detail = f"/mediator/placements/{placement.id}"
    assert by_mediator.post(detail, data=check).status_code == 400
    assert placement_of(session, placement_match.proposal).working_after_3_months is None
    token = token_in(by_mediator.get(detail), f"{prefix}-csrf_token")
    assert (
        by_mediator.post(detail, data={**check, f"{prefix}-csrf_token": token}).status_code == 302
    )
    assert placement_of(session, placement_match.proposal).working_after_3_months is True
