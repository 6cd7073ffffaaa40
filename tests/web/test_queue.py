"""The mediators' review queue, the review page and its decisions, and the coach's consents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.matching.models import ProposalStatus, RejectReason
from matcher.profiles.models import ClientLanguage, Consent, ConsentPurpose
from matcher.skills.search import clear_index_cache
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile
from tests.matcher.skills.esco_sample import CLEAN_ROOMS, OPERATE_FORKLIFT, WELD_METAL, add_concepts
from tests.matcher.vacancies.builders import make_proposal, make_vacancy
from tests.web.conftest import make_test_app

P = ProposalStatus
EXPLANATION = {
    "matched": [OPERATE_FORKLIFT],
    "partly": [{"skill": CLEAN_ROOMS, "via": OPERATE_FORKLIFT}],
    "missing_essential": [WELD_METAL],
    "filters_passed": ["vacancy_open", "employer_not_excluded"],
    "fit": {"language": "below", "hours": "fits"},
}


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    session.commit()
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def employer(session):
    return make_employer_profile(session, legal_name="Fairway Logistics")


@pytest.fixture
def person(session, coach):
    """A client who consented to matching, with a name and notes no queue page may show."""
    client = make_client(
        session,
        coach=coach,
        first_name="Amira",
        region="Utrecht",
        hours_per_week=32,
        notes="Escaped from the Oldfarm dormitory.",
    )
    client.languages.append(ClientLanguage(language="nl", level="A2"))
    client.consents.append(Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id))
    session.flush()
    return client


@pytest.fixture
def proposal(session, person, employer):
    vacancy = make_vacancy(
        session, employer, title="Forklift driver", essential=(OPERATE_FORKLIFT,)
    )
    made = make_proposal(
        session, person, vacancy, score=0.83, model_version="skills-7", explanation=EXPLANATION
    )
    session.commit()
    return made


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def fresh(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


def post(client, proposal, action, **fields):
    prefix = action
    data = {f"{prefix}-version": proposal.version_id} | {
        f"{prefix}-{key}": value for key, value in fields.items()
    }
    return client.post(f"/mediator/proposals/{proposal.id}/{action}", data=data)


# Access


@pytest.mark.parametrize("url", ["/mediator/queue", "/mediator/proposals/{p}"])
def test_anonymous_visitors_are_sent_to_login(client, proposal, url):
    response = client.get(url.format(p=proposal.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
@pytest.mark.parametrize("url", ["/mediator/queue", "/mediator/proposals/{p}"])
def test_other_roles_may_not_see_the_queue(client, login, proposal, role, url):
    login(role)
    assert client.get(url.format(p=proposal.id)).status_code == 403


@pytest.mark.parametrize("role", ["coach", "employer"])
@pytest.mark.parametrize("action", ["approve", "reject", "defer", "undefer"])
def test_other_roles_may_not_decide(client, session, login, proposal, role, action):
    login(role)
    response = post(client, proposal, action, reason="skills")
    assert response.status_code == 403
    assert fresh(session, proposal).status == P.PROPOSED


def test_a_missing_proposal_answers_404(client, login):
    login("mediator")
    assert client.get("/mediator/proposals/999999").status_code == 404


def test_the_consent_list_is_for_coaches(client, login):
    login("mediator")
    assert client.get("/coach/consent-needed").status_code == 403


# The queue


def test_the_queue_lists_open_proposals_by_code_waiting_first_best_first(
    client, session, login, person, employer, proposal
):
    other = make_client(session, organisation=person.organisation)
    low = make_proposal(session, other, make_vacancy(session, employer, title="Packer"), score=0.4)
    deferred = make_proposal(
        session, person, make_vacancy(session, employer, title="Stacker"), status=P.DEFERRED
    )
    done = make_proposal(
        session, person, make_vacancy(session, employer, title="Sorter"),
        status=P.REJECTED, reject_reason=RejectReason.SKILLS,
    )  # fmt: skip
    session.commit()
    login("mediator")

    response, html = page(client, "/mediator/queue")

    assert response.status_code == 200
    assert person.code in html and other.code in html and "Amira" not in html
    assert "Fairway Logistics" in html and "skills-7" in html and "0.83" in html
    order = [html.index(f'/mediator/proposals/{p.id}"') for p in (proposal, low, deferred)]
    assert order == sorted(order)
    assert f'/mediator/proposals/{done.id}"' not in html


def test_the_queue_filters_by_status(client, session, login, person, employer, proposal):
    deferred = make_proposal(
        session, person, make_vacancy(session, employer, title="Stacker"), status=P.DEFERRED
    )
    session.commit()
    login("mediator")

    _, html = page(client, "/mediator/queue?status=deferred")
    assert f'/mediator/proposals/{deferred.id}"' in html
    assert f'/mediator/proposals/{proposal.id}"' not in html

    response, _ = page(client, "/mediator/queue?status=rejected")
    assert response.status_code == 400


# The review page


def test_the_review_shows_the_explanation_the_client_facts_and_the_history(
    client, session, login, proposal, person
):
    mediator = login("mediator")

    response, html = page(client, f"/mediator/proposals/{proposal.id}")

    assert response.status_code == 200
    for text in ("operate forklift", "clean rooms", "weld metal parts", "The vacancy is open"):
        assert text in html
    assert "below the level" in html  # a fit note
    assert person.code in html and "Utrecht" in html and "A2" in html
    assert "Amira" not in html and "Oldfarm" not in html
    assert "Fairway Logistics" in html and "Forklift driver" in html
    assert "not in force" in html  # no consent to share with this employer yet
    assert f"/coach/clients/{person.id}/safety" in html
    viewed = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "client", AuditEvent.action == "view")
    ).all()
    assert [(e.actor_id, e.object_id) for e in viewed] == [(mediator.id, person.id)]


def test_the_review_renders_in_dutch(client, session, login, proposal):
    login("mediator", language="nl")

    response, html = page(client, f"/mediator/proposals/{proposal.id}")

    assert response.status_code == 200 and '<html lang="nl">' in html
    assert "heftruck besturen" in html  # the skill's Dutch ESCO label
    assert "operate forklift" not in html


# Decisions


def test_approving_without_consent_waits_for_the_coach(client, session, login, proposal):
    mediator = login("mediator")

    response = post(client, proposal, "approve", note="Good fit.")

    assert response.status_code == 302 and response.headers["Location"].endswith("/mediator/queue")
    saved = fresh(session, proposal)
    assert (saved.status, saved.decided_by_id) == (P.WAITING_FOR_CONSENT, mediator.id)
    _, html = page(client, "/mediator/queue")
    assert "the coach must record that consent" in html


def test_approving_with_consent_introduces_the_match(
    client, session, login, proposal, person, employer, coach
):
    session.add(
        Consent(
            client_id=person.id,
            purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
            employer_id=employer.id,
            given_recorded_by_id=coach.id,
        )
    )
    session.commit()
    login("mediator")

    post(client, proposal, "approve")

    assert fresh(session, proposal).status == P.APPROVED


def test_a_rejection_needs_a_reason_and_another_reason_a_note(client, session, login, proposal):
    login("mediator")

    response = post(client, proposal, "reject", reason="", note="")
    assert response.status_code == 400
    assert "Choose the reason for the rejection." in response.get_data(as_text=True)
    response = post(client, proposal, "reject", reason="other", note=" ")
    assert response.status_code == 400
    assert "Describe the reason in the note" in response.get_data(as_text=True)
    assert fresh(session, proposal).status == P.PROPOSED

    response = post(client, proposal, "reject", reason="language", note="Needs B1 Dutch.")

    assert response.status_code == 302
    saved = fresh(session, proposal)
    assert (saved.status, saved.reject_reason, saved.decision_note) == (
        P.REJECTED,
        RejectReason.LANGUAGE,
        "Needs B1 Dutch.",
    )


def test_defer_and_bring_back(client, session, login, proposal):
    login("mediator")

    assert post(client, proposal, "defer", note="Ask the coach.").status_code == 302
    deferred = fresh(session, proposal)
    assert deferred.status == P.DEFERRED
    _, html = page(client, f"/mediator/proposals/{proposal.id}")
    assert "Ask the coach." in html and "undefer-submit" in html

    assert post(client, deferred, "undefer").status_code == 302
    assert fresh(session, proposal).status == P.PROPOSED


def test_a_decision_on_a_page_shown_before_another_mediators_is_refused(
    client, session, login, proposal
):
    login("mediator")
    shown = proposal.version_id
    assert post(client, proposal, "defer").status_code == 302

    response = client.post(
        f"/mediator/proposals/{proposal.id}/approve", data={"approve-version": shown}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Another mediator has already decided this proposal: it is now deferred." in html
    assert fresh(session, proposal).status == P.DEFERRED


def test_a_refused_approval_says_why(client, session, login, proposal, employer):
    employer.status = "suspended"
    session.commit()
    login("mediator")

    response = post(client, proposal, "approve")

    assert response.status_code == 409
    assert "the employer may not be matched now" in response.get_data(as_text=True)
    assert fresh(session, proposal).status == P.PROPOSED


def test_a_post_without_csrf_token_is_refused(session_factory, session, proposal):
    mediator = make_user(session, role="mediator")
    session.commit()
    client = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    with client.session_transaction() as browser:
        browser["_user_id"] = str(mediator.id)
        browser["_fresh"] = True

    response = post(client, proposal, "approve")

    assert response.status_code == 400
    assert fresh(session, proposal).status == P.PROPOSED


# The coach's list of consents needed


def test_the_coach_sees_their_clients_approvals_waiting_for_consent(
    client, session, login, proposal, person, employer
):
    elsewhere = make_client(session)  # another organisation's client
    make_proposal(session, elsewhere, make_vacancy(session, employer), status=P.WAITING_FOR_CONSENT)
    proposal.status = P.WAITING_FOR_CONSENT
    session.commit()
    login("coach", organisation=person.organisation)

    response, html = page(client, "/coach/consent-needed")

    assert response.status_code == 200
    assert person.code in html and "Forklift driver" in html and "Fairway Logistics" in html
    assert f"/coach/clients/{person.id}/safety" in html
    assert elsewhere.code not in html


def test_recording_the_consent_introduces_the_waiting_match(
    client, session, login, proposal, person, employer
):
    proposal.status = P.WAITING_FOR_CONSENT
    session.commit()
    login("coach", organisation=person.organisation)

    response = client.post(
        f"/coach/clients/{person.id}/safety/consent/share_with_employer/give",
        data={"give_share_with_employer-employer": str(employer.id)},
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    assert fresh(session, proposal).status == P.APPROVED
    _, html = page(client, "/coach/consent-needed")
    assert person.code not in html


def test_a_long_queue_comes_a_page_at_a_time_in_the_queues_order(
    app, client, session, login, person, employer, proposal
):
    app.config["PAGE_SIZE"] = 2
    others = [
        make_proposal(session, person, make_vacancy(session, employer, title=f"Job {n}"),
                      score=0.5 - n / 10)
        for n in range(2)
    ]  # fmt: skip
    session.commit()
    login("mediator")
    shown = [proposal, *others]  # best score first

    first = page(client, "/mediator/queue?status=proposed")[1]
    second = page(client, "/mediator/queue?status=proposed&page=2")[1]

    def listed(html):
        return [p for p in shown if f'/mediator/proposals/{p.id}"' in html]

    assert listed(first) == shown[:2] and listed(second) == shown[2:]
    assert '<nav class="pager" aria-label="Pages of the review queue">' in first
    assert "3 open proposals" in first and "Showing 1–2 of 3" in first
    # The filter is kept from page to page.
    assert 'href="/mediator/queue?status=proposed&amp;page=2"' in first
    assert 'href="/mediator/queue?status=proposed&amp;page=1"' in second
