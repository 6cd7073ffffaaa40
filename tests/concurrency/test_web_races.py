"""Two mediators pressing a button on the same page at once, through the web app.

Both are signed in, with their own HTTP client, on a committed database (SQLite takes the form's
write lock at BEGIN; PostgreSQL blocks the second UPDATE on the row). One is sent on, the other
gets the page again with 409 and the words saying another mediator was first; no answer is 500.
"""

from __future__ import annotations

import pytest

from tests.concurrency.conftest import audit_actions, race
from tests.factories import PASSWORD
from web.app import create_app


@pytest.fixture
def web(committed):
    engine, factory = committed
    app = create_app(
        {"SESSION_FACTORY": factory, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
         "DATABASE_URL": str(engine.url)}
    )  # fmt: skip

    def signed_in(user_id: int):
        from matcher.accounts.models import User

        with factory() as s:
            email = s.get(User, user_id).email
        http = app.test_client()
        assert http.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        return http

    return signed_in


def post(http, url: str, data: dict):
    def send():
        response = http.post(url, data=data)
        return response.status_code, response.get_data(as_text=True)

    return send


def one_wins(outcomes) -> str:
    """The loser's page; asserts one redirect and one 409, no crash."""
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    statuses = sorted(o.value[0] for o in outcomes)
    assert statuses == [302, 409], statuses
    return next(o.value[1] for o in outcomes if o.value[0] == 409)


def test_approve_and_reject_posted_at_once(committed, proposal, web, both_read_first):
    _, factory = committed
    proposal_id, shown, (first, second) = proposal
    url = f"/mediator/proposals/{proposal_id}"
    mine, theirs = web(first), web(second)
    both_read_first(2)

    page = one_wins(race(
        post(mine, f"{url}/approve", {"approve-version": shown}),
        post(theirs, f"{url}/reject", {"reject-version": shown, "reject-reason": "skills"}),
    ))  # fmt: skip

    assert "Another mediator has already decided this proposal" in page
    decisions = [a for a in audit_actions(factory, "proposal", proposal_id) if a != "propose"]
    assert len(decisions) == 1 and decisions[0] in ("approve", "reject")


def test_two_vetting_decisions_posted_at_once(committed, submission, web, both_read_first):
    _, factory = committed
    profile_id, submission_id, shown, (first, second) = submission
    mine, theirs = web(first), web(second)
    both_read_first(2)

    page = one_wins(race(
        post(mine, f"/mediator/vetting/{submission_id}",
             {"decision": "approved", "version": shown}),
        post(theirs, f"/mediator/vetting/{submission_id}",
             {"decision": "rejected", "reason": "Fees charged.", "version": shown}),
    ))  # fmt: skip

    assert "Another mediator decided this first; reload the submission." in page
    assert [a for a in audit_actions(factory, "employer", profile_id) if a == "decide"] == [
        "decide"
    ]


def test_two_signal_reviews_posted_at_once(committed, signal, web, both_read_first):
    _, factory = committed
    _, signal_id, shown, (first, second) = signal
    mine, theirs = web(first), web(second)
    both_read_first(2)

    outcomes = race(*(
        post(http, f"/mediator/signals/{signal_id}/review", {"review-version": shown})
        for http in (mine, theirs)
    ))  # fmt: skip

    # The signal views send both back to the signal, the loser with the reason.
    assert all(o.error is None and o.value[0] == 302 for o in outcomes), outcomes
    follow = [http.get(f"/mediator/signals/{signal_id}") for http in (mine, theirs)]
    told = [r for r in follow if "Another mediator changed this signal first" in r.text]
    assert len(told) == 1
    assert [a for a in audit_actions(factory, "signal", signal_id) if a != "report"] == [
        "start_review"
    ]
