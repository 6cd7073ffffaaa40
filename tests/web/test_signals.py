"""The meldroute pages: reporting, own signals, triage by mediators, personal report links."""

from __future__ import annotations

import itertools
import re
from hashlib import sha256

import pytest
from sqlalchemy import func, select

from matcher.employers.links import create_signal_link, revoke_signal_link
from matcher.employers.models import Signal, SignalLink, SignalStatus
from matcher.employers.signals import close_signal, report_signal, start_review
from matcher.employers.states import VettingStatus
from tests.factories import make_organisation, make_user
from tests.matcher.employers.builders import employer_in
from tests.matcher.profiles.builders import make_employer_profile
from tests.queries import statements_run

TEXT = "They keep our passports and pay us half of what was promised."
RACE = "Another mediator changed this signal first"


def count_signals(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Signal))


def html_of(response) -> str:
    return response.get_data(as_text=True)


def in_review(session, mediator, **fields):
    signal = report_signal(session, make_user(session), text=TEXT, **fields)
    start_review(session, mediator, signal.id, signal.version_id)
    session.commit()
    return signal


@pytest.fixture
def link_coach(session):
    organisation = make_organisation(session, name="Shelter North")
    return make_user(
        session, role="coach", email="coach@shelter.example", organisation=organisation
    )


@pytest.fixture
def link_token(session, link_coach):
    token = create_signal_link(session, link_coach, "client 17")[1]
    session.commit()
    return token


# Access


@pytest.mark.parametrize(
    "path",
    [
        "/signals/new",
        "/signals",
        "/mediator/signals",
        "/mediator/signals/1",
        "/coach/signal-links",
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
def test_only_mediators_open_the_triage_pages(client, session, login, role):
    signal = report_signal(session, None, text=TEXT)
    session.commit()
    login(role)
    assert client.get("/mediator/signals").status_code == 403
    assert client.get(f"/mediator/signals/{signal.id}").status_code == 403
    response = client.post(f"/mediator/signals/{signal.id}/review", data={"review-version": 1})
    assert response.status_code == 403
    session.refresh(signal)
    assert signal.status == SignalStatus.RECEIVED


@pytest.mark.parametrize("role", ["employer", "mediator", "admin"])
def test_only_coaches_open_the_link_pages(client, login, role):
    login(role)
    assert client.get("/coach/signal-links").status_code == 403
    assert client.post("/coach/signal-links", data={"valid_days": 90}).status_code == 403


def test_a_missing_signal_is_404_for_a_mediator(client, login):
    login("mediator")
    assert client.get("/mediator/signals/999999").status_code == 404


# Reporting with an account


@pytest.mark.parametrize("role", ["coach", "employer", "mediator", "admin"])
def test_every_role_reports_and_is_told_where_feedback_appears(client, session, login, role):
    user = login(role)
    response = client.post(
        "/signals/new",
        data={"employer": "", "employer_name": "Kas BV", "vacancy_ref": "picker", "text": TEXT},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/signals"

    page = html_of(client.get("/signals"))
    assert "A mediator will look at it" in page and "on this page" in page
    assert "received" in page and TEXT[:40] in page
    (signal,) = session.scalars(select(Signal)).all()
    assert (signal.reporter_id, signal.employer_name, signal.vacancy_ref, signal.text) == (
        user.id,
        "Kas BV",
        "picker",
        TEXT,
    )


def test_the_employer_list_shows_only_employers_that_are_or_were_approved(client, session, login):
    approved = employer_in(session, "approved", "11111111")
    suspended = employer_in(session, "suspended", "22222222")
    pending = employer_in(session, "pending", "33333333")
    rejected = employer_in(session, "rejected", "44444444")
    session.commit()
    login("coach")

    page = html_of(client.get("/signals/new"))

    assert approved.legal_name in page and suspended.legal_name in page
    assert pending.legal_name not in page and rejected.legal_name not in page
    response = client.post("/signals/new", data={"employer": str(pending.id), "text": TEXT})
    assert response.status_code == 400 and count_signals(session) == 0
    client.post("/signals/new", data={"employer": str(approved.id), "text": TEXT})
    assert session.scalars(select(Signal.employer_id)).all() == [approved.id]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Describe what happened."),
        ("  \n ", "Describe what happened."),
        ("x" * 10_001, "Write at most 10000 characters."),
        ("my\x00 passport", "The request could not be understood"),
    ],
)
def test_bad_text_gives_a_message_and_saves_nothing(client, session, login, text, message):
    login("coach")
    response = client.post("/signals/new", data={"employer": "", "text": text})
    assert response.status_code == 400
    assert message in html_of(response)
    assert count_signals(session) == 0


def test_an_employer_sees_only_its_own_signals_and_never_the_notes(client, session, login):
    mediator = make_user(session, role="mediator")
    other = report_signal(session, make_user(session), text="Someone else's report.")
    session.commit()
    employer = login("employer")
    client.post("/signals/new", data={"employer": "", "text": TEXT})
    own = session.scalars(select(Signal).where(Signal.reporter_id == employer.id)).one()
    start_review(session, mediator, own.id, own.version_id, notes="Reporter seems afraid.")
    close_signal(
        session, mediator, own.id, own.version_id, "action_taken",
        feedback="We have spoken to the employer.", notes="Reporter seems afraid.",
    )  # fmt: skip
    session.commit()

    page = html_of(client.get("/signals"))

    assert "closed" in page and "We have spoken to the employer." in page
    assert "afraid" not in page and other.text not in page


# Triage


def test_the_triage_page_lists_open_signals_then_recently_closed(client, session, login):
    mediator = login("mediator")
    received = report_signal(session, None, text=TEXT, employer_name="First BV")
    reviewed = in_review(session, mediator, employer_name="Second BV")
    closed = in_review(session, mediator, employer_name="Third BV")
    close_signal(session, mediator, closed.id, closed.version_id, "referred_to_inspectorate")
    session.commit()

    page = html_of(client.get("/mediator/signals"))

    open_part, closed_part = page.split("Recently closed")
    assert open_part.index("First BV") < open_part.index("Second BV")
    assert "Third BV" not in open_part and "Third BV" in closed_part
    assert "referred to the labour inspectorate" in closed_part
    for signal in (received, reviewed, closed):
        assert f'href="/mediator/signals/{signal.id}"' in page


def test_the_detail_page_shows_text_reporter_contact_and_notes(client, session, login):
    mediator = login("mediator")
    reporter = make_user(session, role="employer", email="worker@example.org")
    signal = report_signal(
        session, reporter, text="Line one.\nLine <two>.", vacancy_ref="picker", contact="06 1"
    )
    start_review(session, mediator, signal.id, signal.version_id, notes="Call back on Monday.")
    session.commit()

    page = html_of(client.get(f"/mediator/signals/{signal.id}"))

    assert "Line one.<br>Line &lt;two&gt;." in page
    assert "worker@example.org" in page and "06 1" in page and "picker" in page
    assert "Call back on Monday." in page and "being reviewed" in page
    assert 'name="close-version" type="hidden" value="2"' in page


def test_a_mediator_reviews_and_closes_and_the_reporter_sees_the_feedback(client, session, login):
    reporter = make_user(session, role="coach")
    signal = report_signal(session, reporter, text=TEXT)
    session.commit()
    login("mediator")

    response = client.post(
        f"/mediator/signals/{signal.id}/review",
        data={"review-version": 1, "review-notes": "Looks urgent."},
        follow_redirects=True,
    )
    assert "The review has started." in html_of(response)
    response = client.post(
        f"/mediator/signals/{signal.id}/close",
        data={
            "close-version": 2,
            "close-outcome": "action_taken",
            "close-feedback": "We visited the employer.",
            "close-notes": "Inspectorate informed informally.",
        },
        follow_redirects=True,
    )
    assert "The signal is closed." in html_of(response)

    session.refresh(signal)
    assert (signal.status, signal.notes) == (
        SignalStatus.CLOSED,
        "Inspectorate informed informally.",
    )
    client.post("/logout", data={"logout-submit": "Sign out"})
    client.post("/login", data={"email": reporter.email, "password": "correct horse battery"})
    page = html_of(client.get("/signals"))
    assert "We visited the employer." in page and "Inspectorate" not in page


def test_a_review_posted_without_the_notes_field_starts_the_review(client, session, login):
    # A form without its optional textarea (a script, an old page) once answered 500.
    signal = report_signal(session, None, text=TEXT)
    session.commit()
    login("mediator")

    response = client.post(
        f"/mediator/signals/{signal.id}/review", data={"review-version": 1}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "The review has started." in html_of(response)
    session.refresh(signal)
    assert (signal.status, signal.notes) == (SignalStatus.IN_REVIEW, "")


def test_closing_without_outcome_or_feedback_explains_and_changes_nothing(client, session, login):
    mediator = login("mediator")
    signal = in_review(session, mediator)

    response = client.post(
        f"/mediator/signals/{signal.id}/close", data={"close-version": 2, "close-outcome": ""}
    )

    assert response.status_code == 400
    page = html_of(response)
    assert "Choose the outcome of the review." in page
    assert "Tell the reporter what happened." in page
    session.refresh(signal)
    assert signal.status == SignalStatus.IN_REVIEW


def test_marking_serious_suspends_an_approved_employer(client, session, login):
    profile = employer_in(session, "approved", "11111111")
    mediator = login("mediator")
    signal = in_review(session, mediator, employer_id=profile.id)

    page = html_of(client.get(f"/mediator/signals/{signal.id}"))
    assert "suspends Bakery 11111111 at once" in page
    response = client.post(
        f"/mediator/signals/{signal.id}/serious",
        data={"serious-version": 2, "serious-reason": "Passports withheld."},
        follow_redirects=True,
    )

    assert "The signal is marked serious." in html_of(response)
    session.refresh(profile)
    session.refresh(signal)
    assert signal.serious and profile.status == VettingStatus.SUSPENDED
    assert "Bakery 11111111</a> (suspended)" in html_of(response)


def test_marking_serious_needs_a_reason(client, session, login):
    profile = employer_in(session, "approved", "11111111")
    mediator = login("mediator")
    signal = in_review(session, mediator, employer_id=profile.id)

    response = client.post(
        f"/mediator/signals/{signal.id}/serious",
        data={"serious-version": 2, "serious-reason": "  "},
    )

    assert response.status_code == 400
    assert "Give the reason this signal is serious." in html_of(response)
    session.refresh(profile)
    assert profile.status == VettingStatus.APPROVED


def test_a_mediator_links_a_signal_to_a_registered_employer(client, session, login):
    profile = employer_in(session, "pending", "11111111")
    login("mediator")
    signal = report_signal(session, None, text=TEXT, employer_name="Bakkerij")
    session.commit()
    assert "Link this signal to a registered employer first" in html_of(
        client.get(f"/mediator/signals/{signal.id}")
    )

    response = client.post(
        f"/mediator/signals/{signal.id}/employer",
        data={"employer-version": 1, "employer-employer": str(profile.id)},
        follow_redirects=True,
    )

    assert "The signal is linked to the employer." in html_of(response)
    assert (
        f'<a href="/mediator/employers/{profile.id}">Bakery 11111111</a>'
        " (filling in the checklist)" in html_of(response)
    )
    session.refresh(signal)
    assert signal.employer_id == profile.id
    response = client.post(
        f"/mediator/signals/{signal.id}/employer",
        data={"employer-version": 2, "employer-employer": "999999"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("review", {"review-version": 1}),
        ("serious", {"serious-version": 1, "serious-reason": "Passports withheld."}),
        ("employer", {"employer-version": 1}),
    ],
)
def test_a_stale_version_shows_that_another_mediator_was_first(
    client, session, login, action, data
):
    profile = employer_in(session, "approved", "11111111")
    mediator = login("mediator")
    signal = report_signal(session, None, text=TEXT, employer_id=profile.id)
    session.commit()
    # Another mediator takes it into review after this page was loaded (version 1).
    in_review_elsewhere = make_user(session, role="mediator")
    start_review(session, in_review_elsewhere, signal.id, signal.version_id)
    session.commit()
    data = {"employer-employer": str(profile.id)} | data

    response = client.post(
        f"/mediator/signals/{signal.id}/{action}", data=data, follow_redirects=True
    )

    assert RACE in html_of(response)
    session.refresh(signal)
    session.refresh(profile)
    assert (signal.version_id, signal.serious) == (2, False)
    assert profile.status == VettingStatus.APPROVED
    assert mediator.id != in_review_elsewhere.id


# Personal report links, the coach's side


def test_a_coach_creates_a_link_and_sees_its_url_only_once(client, session, login):
    login("coach")
    response = client.post("/coach/signal-links", data={"label": "file 17", "valid_days": 30})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = html_of(response)
    url = re.search(r"http://localhost/report/[\w-]+", page).group(0)
    assert "shown only now" in page and "give it only to your client" in page
    (link,) = session.scalars(select(SignalLink)).all()
    token = url.rsplit("/", 1)[1]
    assert link.label == "file 17" and link.token_hash == sha256(token.encode()).hexdigest()

    listing = html_of(client.get("/coach/signal-links"))
    assert "file 17" in listing and "active" in listing and url not in listing
    assert client.get(url.removeprefix("http://localhost")).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "x" * 101, "valid_days": 90}, "Field cannot be longer than 100 characters."),
        ({"label": "file 17", "valid_days": 0}, "Choose from 1 to 365 days."),
        ({"label": "file 17", "valid_days": ""}, "Say how many days the link stays valid."),
    ],
)
def test_a_bad_link_form_explains_and_creates_nothing(client, session, login, data, message):
    login("coach")
    response = client.post("/coach/signal-links", data=data)
    assert response.status_code == 400 and message in html_of(response)
    assert session.scalar(select(func.count()).select_from(SignalLink)) == 0


def test_a_coach_sees_and_revokes_only_their_organisations_links(client, session, login):
    coach = login("coach")
    colleague = make_user(session, role="coach", organisation=coach.organisation)
    ours, token = create_signal_link(session, colleague, "ours")
    theirs, _ = create_signal_link(session, make_user(session, role="coach"), "theirs")
    session.commit()

    listing = html_of(client.get("/coach/signal-links"))
    assert "ours" in listing and "theirs" not in listing
    assert client.post(f"/coach/signal-links/{theirs.id}/revoke").status_code == 403
    assert client.post("/coach/signal-links/999999/revoke").status_code == 404

    response = client.post(f"/coach/signal-links/{ours.id}/revoke", follow_redirects=True)
    assert "The link is revoked." in html_of(response) and "revoked on" in html_of(response)
    session.refresh(theirs)
    assert theirs.revoked_at is None
    assert client.get(f"/report/{token}").status_code == 404


# Personal report links, the client's side


def test_the_public_form_reports_without_an_account_and_shows_no_account_data(
    client, session, link_token
):
    page = client.get(f"/report/{link_token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert 'name="employer"' not in html_of(page)

    response = client.post(
        f"/report/{link_token}",
        data={"employer_name": "Kas BV", "text": TEXT, "contact": "06 1"},
        follow_redirects=True,
    )

    page = html_of(response)
    assert "A mediator will look at it" in page and "received" in page
    for secret in ("coach@shelter.example", "Shelter North", "client 17"):
        assert secret not in page
    (signal,) = session.scalars(select(Signal)).all()
    assert (signal.reporter_id, signal.link_id, signal.employer_name) == (
        None,
        session.scalars(select(SignalLink.id)).one(),
        "Kas BV",
    )


def test_the_public_page_shows_feedback_of_its_own_signals_never_notes(client, session, link_token):
    mediator = make_user(session, role="mediator")
    other_token = create_signal_link(session, make_user(session, role="coach"), "x")[1]
    session.commit()
    client.post(f"/report/{link_token}", data={"text": TEXT})
    client.post(f"/report/{other_token}", data={"text": "Another client's report."})
    signal = session.scalars(select(Signal).order_by(Signal.id)).first()
    start_review(session, mediator, signal.id, signal.version_id, notes="Client is afraid.")
    close_signal(
        session, mediator, signal.id, signal.version_id, "referred_to_inspectorate",
        feedback="We passed your report to the labour inspectorate.", notes="Client is afraid.",
    )  # fmt: skip
    session.commit()

    page = html_of(client.get(f"/report/{link_token}"))

    assert "We passed your report to the labour inspectorate." in page and "closed" in page
    assert "afraid" not in page
    assert "1 report sent through this link" in page


@pytest.mark.parametrize("token", ["nonsense", "x" * 300])
def test_an_unknown_link_is_404_with_a_page_that_says_so(client, token):
    response = client.get(f"/report/{token}")
    assert response.status_code == 404
    assert "Ask your job coach for a new one." in html_of(response)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_revoked_link_is_404_and_takes_no_reports(client, session, link_coach, link_token):
    link = session.scalars(select(SignalLink)).one()
    revoke_signal_link(session, link_coach, link.id)
    session.commit()

    response = client.post(f"/report/{link_token}", data={"text": TEXT})
    assert response.status_code == 404 and "not valid" in html_of(response)
    assert count_signals(session) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Describe what happened."),
        ("x" * 10_001, "Write at most 10000 characters."),
        ("my\x00 passport", "The request could not be understood"),
    ],
)
def test_bad_input_on_the_public_form_explains_and_saves_nothing(
    client, session, link_token, text, message
):
    response = client.post(f"/report/{link_token}", data={"text": text})
    assert response.status_code == 400 and message in html_of(response)
    assert count_signals(session) == 0


def test_the_public_form_answers_429_when_a_link_sent_too_many(client, session, link_token):
    for _ in range(5):
        assert client.post(f"/report/{link_token}", data={"text": TEXT}).status_code == 302

    response = client.post(f"/report/{link_token}", data={"text": "One more."})

    assert response.status_code == 429
    assert "Too many reports were sent through this link today." in html_of(response)
    assert count_signals(session) == 5


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("employer", "/signals/new"),
        ("employer", "/signals"),
        ("mediator", "/mediator/signals"),
        ("mediator", "/mediator/signals/{signal}"),
        ("coach", "/coach/signal-links"),
    ],
)
def test_the_pages_open_in_dutch(client, session, login, role, path):
    mediator = make_user(session, role="mediator")
    signal = in_review(session, mediator)
    login(role, language="nl")
    response = client.get(path.format(signal=signal.id))
    assert response.status_code == 200 and '<html lang="nl">' in html_of(response)


def test_the_triage_page_reads_the_employers_at_once_however_many_signals(
    client, session, login, engine
):
    login("mediator")
    firms = iter(range(1000))

    def queries_for_the_page() -> int:
        with statements_run(engine) as statements:
            assert client.get("/mediator/signals").status_code == 200
        return len(statements)

    def signals_about_new_employers(n: int) -> None:
        for k in itertools.islice(firms, n):
            firm = make_employer_profile(session, legal_name=f"Firm {k}", kvk_number=f"9{k:07}")
            report_signal(session, None, text=TEXT, employer_id=firm.id)
        session.commit()

    signals_about_new_employers(1)
    few = queries_for_the_page()
    signals_about_new_employers(5)

    assert queries_for_the_page() == few
