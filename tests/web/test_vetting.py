"""The mediators' vetting pages: the waiting list, the review and decision, the employers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matcher.employers.services import decide_vetting, save_answers, submit_checklist
from matcher.employers.signals import mark_serious, report_signal
from tests.factories import make_user
from tests.matcher.employers.builders import (
    add_evidence,
    approved,
    employer_user,
    passing_answers,
    register,
    submitted,
)

PAGES = [
    "/mediator/vetting",
    "/mediator/vetting/{s}",
    "/mediator/employers",
    "/mediator/employers/{p}",
]


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def fresh(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


def another_submitted(session, kvk, name):
    profile = register(session, kvk=kvk, email=f"boss{kvk}@bakery.example", legal_name=name)
    employer = employer_user(session, profile)
    save_answers(session, employer, passing_answers())
    return profile, submit_checklist(session, employer)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, session, url):
    profile, _, submission = submitted(session)
    session.commit()

    response = client.get(url.format(s=submission.id, p=profile.id))

    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_other_roles_may_not_see_the_vetting_pages(client, session, login, role, url):
    profile, _, submission = submitted(session)
    login(role)

    assert client.get(url.format(s=submission.id, p=profile.id)).status_code == 403
    if "{s}" in url:
        response = client.post(url.format(s=submission.id), data={"decision": "approved"})
        assert response.status_code == 403


def test_the_waiting_list_shows_the_oldest_submission_first(client, session, login):
    _, newer = another_submitted(session, "11111111", "Newer Bakery")
    _, older = another_submitted(session, "22222222", "Older Bakery")
    older.submitted_at = newer.submitted_at - timedelta(days=4)
    login("mediator")

    response, html = page(client, "/mediator/vetting")

    assert response.status_code == 200
    assert html.index("Older Bakery") < html.index("Newer Bakery")
    assert f'href="/mediator/vetting/{older.id}"' in html


def test_a_missing_submission_or_employer_is_not_found(client, login):
    login("mediator")

    assert client.get("/mediator/vetting/999999").status_code == 404
    assert client.post("/mediator/vetting/999999", data={"decision": "rejected",
        "reason": "No.", "version": 1}).status_code == 404  # fmt: skip
    assert client.get("/mediator/employers/999999").status_code == 404


def test_the_review_shows_knock_outs_and_evidence_links_and_offers_no_approval(
    client, session, login
):
    _, _, submission = submitted(session, passing_answers() | {"FE-07": True})
    evidence = add_evidence(session, submission, "FE-01", original_name="kvk-extract.pdf")
    login("mediator")

    response, html = page(client, f"/mediator/vetting/{submission.id}")

    assert response.status_code == 200
    assert "Knock-outs hit" in html and "FE-07" in html
    assert f'href="/employer/evidence/{evidence.id}"' in html and "kvk-extract.pdf" in html
    assert 'value="rejected"' in html and 'value="needs_information"' in html
    assert 'value="approved"' not in html and 'value="approved_with_conditions"' not in html


def test_a_mediator_approves_a_submission(client, session, login):
    profile, _, submission = submitted(session)
    login("mediator")
    _, html = page(client, f"/mediator/vetting/{submission.id}")
    assert f'name="version" type="hidden" value="{submission.version_id}"' in html

    response = client.post(
        f"/mediator/vetting/{submission.id}",
        data={"decision": "approved", "version": submission.version_id},
    )

    assert response.status_code == 302
    assert fresh(session, profile).status == "approved"
    _, html = page(client, response.headers["Location"])
    assert "The decision has been recorded." in html
    assert 'name="decision"' not in html  # decided: shown read-only


def test_approving_a_knock_out_is_refused_with_the_reason_and_changes_nothing(
    client, session, login
):
    profile, _, submission = submitted(session, passing_answers() | {"FE-07": True})
    login("mediator")

    response = client.post(
        f"/mediator/vetting/{submission.id}",
        data={"decision": "approved", "version": submission.version_id},
    )

    assert response.status_code == 409
    assert "can never be approved" in response.get_data(as_text=True)
    assert fresh(session, profile).status == "submitted"
    assert fresh(session, submission).decision is None


def test_a_decision_after_another_mediators_is_told_and_changes_nothing(client, session, login):
    profile, _, submission = submitted(session)
    seen = submission.version_id
    decide_vetting(session, make_user(session, role="mediator"), submission.id, seen, "approved")
    session.commit()
    login("mediator")

    response = client.post(
        f"/mediator/vetting/{submission.id}",
        data={"decision": "rejected", "reason": "Fees charged.", "version": seen},
    )

    assert response.status_code == 409
    assert "Another mediator decided this first" in response.get_data(as_text=True)
    assert fresh(session, profile).status == "approved"


def test_a_rejection_without_a_reason_is_refused_with_a_message(client, session, login):
    profile, _, submission = submitted(session)
    login("mediator")

    response = client.post(
        f"/mediator/vetting/{submission.id}",
        data={"decision": "rejected", "reason": " ", "version": submission.version_id},
    )

    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)
    assert fresh(session, profile).status == "submitted"


def test_an_approval_with_conditions_takes_them_and_their_due_date(client, session, login):
    _, _, submission = submitted(session)
    login("mediator")
    _, html = page(client, f"/mediator/vetting/{submission.id}")
    assert 'name="conditions_due" type="date" value="' in html

    response = client.post(
        f"/mediator/vetting/{submission.id}",
        data={
            "decision": "approved_with_conditions",
            "conditions": "Show the new contracts.",
            "conditions_due": "2027-02-01",
            "version": submission.version_id,
        },
    )

    assert response.status_code == 302
    decided = fresh(session, submission)
    assert (decided.decision, decided.conditions_due.isoformat()) == (
        "approved_with_conditions",
        "2027-02-01",
    )


def test_a_form_without_a_decision_is_refused(client, session, login):
    _, _, submission = submitted(session)
    login("mediator")

    response = client.post(f"/mediator/vetting/{submission.id}", data={"version": "x"})

    assert response.status_code == 400
    assert fresh(session, submission).status == "submitted"


def test_the_employers_list_filters_by_status(client, session, login):
    approved_profile, _, _ = approved(session)
    register(session, kvk="33333333", legal_name="Pending Farm", email="p@farm.example")
    login("mediator")

    _, everyone = page(client, "/mediator/employers")
    _, only_approved = page(client, "/mediator/employers?status=approved")
    response = client.get("/mediator/employers?status=nonsense")

    assert approved_profile.legal_name in everyone and "Pending Farm" in everyone
    assert approved_profile.legal_name in only_approved and "Pending Farm" not in only_approved
    assert response.status_code == 400


def test_a_mediator_suspends_and_lifts_with_a_reason(client, session, login):
    profile, _, _ = approved(session)
    login("mediator")
    url = f"/mediator/employers/{profile.id}"

    assert client.post(f"{url}/suspend", data={"suspend-reason": ""}).status_code == 400
    response = client.post(f"{url}/suspend", data={"suspend-reason": "Wages unpaid."})
    assert response.status_code == 302 and fresh(session, profile).status == "suspended"
    _, html = page(client, url)
    assert "Wages unpaid." in html and "Lift the suspension" in html

    response = client.post(f"{url}/lift", data={"lift-reason": "Wages paid."})
    assert response.status_code == 302 and fresh(session, profile).status == "approved"


def test_lifting_while_a_serious_signal_is_open_is_refused(client, session, login):
    profile, _, mediator = approved(session)
    signal = report_signal(session, None, text="Passports kept.", employer_id=profile.id)
    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")
    login("mediator")

    response = client.post(
        f"/mediator/employers/{profile.id}/lift", data={"lift-reason": "All fine now."}
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "marked serious is still open" in html and "Passports kept." in html
    assert fresh(session, profile).status == "suspended"


def test_a_mediator_confirms_conditions_met(client, session, login):
    profile, _, _ = approved(session, "approved_with_conditions")
    login("mediator")
    url = f"/mediator/employers/{profile.id}"
    _, html = page(client, url)
    assert "Show the new contracts." in html

    stale = client.post(
        f"{url}/conditions-met",
        data={"conditions-reason": "Seen.", "conditions-version": profile.version_id - 1},
    )
    assert stale.status_code == 409 and fresh(session, profile).status == "approved_with_conditions"
    response = client.post(
        f"{url}/conditions-met",
        data={"conditions-reason": "Contracts seen.", "conditions-version": profile.version_id},
    )

    assert response.status_code == 302
    assert fresh(session, profile).status == "approved"


def test_the_review_shows_the_checklist_in_the_mediators_language(client, session, login):
    _, _, submission = submitted(session)
    login("mediator", language="nl")

    _, html = page(client, f"/mediator/vetting/{submission.id}")

    assert "Identiteit, inschrijving en certificering" in html
    assert "Zijn alle inhoudingen op het loon rechtmatig" in html
    assert "Identity, registration and certification" not in html
