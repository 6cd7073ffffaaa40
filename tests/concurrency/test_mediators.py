"""Two mediators acting on one proposal, one vetting submission or one signal at the same moment.

Each racer has its own session on a committed database and has read what it acts on before
either writes (`both_read_first`), as two mediators with the same page open. Exactly one wins,
the other is told in words, and the database and the audit log hold the winner's act once.
"""

from __future__ import annotations

from matcher.accounts.models import User
from matcher.db import open_writer
from matcher.employers.models import ChecklistSubmission, EmployerProfile
from matcher.employers.services import decide_vetting
from matcher.employers.signals import (
    Signal,
    close_signal,
    mark_serious,
    start_review,
)
from matcher.errors import InvalidTransition
from matcher.matching.models import Proposal, ProposalStatus
from matcher.matching.proposals import approve_proposal, reject_proposal
from tests.concurrency.conftest import audit_actions, race, told
from tests.matcher.employers.builders import TODAY

P = ProposalStatus


def acting(factory, mediator_id: int, act):
    """One mediator's POST: its own session as the web opens it, the act, one commit."""

    def run():
        with open_writer(factory) as session:
            try:
                result = act(session, session.get(User, mediator_id))
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise

    return run


def test_approve_and_reject_at_once_one_wins_the_other_is_told(
    committed, proposal, both_read_first
):
    _, factory = committed
    proposal_id, shown, (first, second) = proposal
    both_read_first(2)

    outcomes = race(
        acting(factory, first, lambda s, m: approve_proposal(
            s, m, proposal_id, expected_version=shown).status),
        acting(factory, second, lambda s, m: reject_proposal(
            s, m, proposal_id, reason="skills", expected_version=shown).status),
    )  # fmt: skip

    (winner,), (message,) = told(outcomes, InvalidTransition)
    assert message == (f"Another mediator has already decided this proposal: it is now {winner}.")
    with factory() as check:
        assert check.get(Proposal, proposal_id).status == winner
    decisions = [a for a in audit_actions(factory, "proposal", proposal_id) if a != "propose"]
    assert decisions == ["approve" if winner != P.REJECTED else "reject"]


def test_two_approvals_at_once_approve_once(committed, proposal, both_read_first):
    _, factory = committed
    proposal_id, shown, (first, second) = proposal
    both_read_first(2)

    outcomes = race(*(
        acting(factory, m, lambda s, u: approve_proposal(
            s, u, proposal_id, expected_version=shown).status)
        for m in (first, second)
    ))  # fmt: skip

    (winner,), (message,) = told(outcomes, InvalidTransition)
    assert message == f"Another mediator has already decided this proposal: it is now {winner}."
    assert [a for a in audit_actions(factory, "proposal", proposal_id) if a != "propose"] == [
        "approve"
    ]
    with factory() as check:
        assert check.get(Proposal, proposal_id).decided_by_id in (first, second)


def test_two_mediators_decide_one_vetting_at_once(committed, submission, both_read_first):
    _, factory = committed
    profile_id, submission_id, shown, (first, second) = submission
    both_read_first(2)

    outcomes = race(
        acting(factory, first, lambda s, m: decide_vetting(
            s, m, submission_id, shown, "approved", today=TODAY).decision),
        acting(factory, second, lambda s, m: decide_vetting(
            s, m, submission_id, shown, "rejected", reason="Fees charged.", today=TODAY).decision),
    )  # fmt: skip

    (winner,), (message,) = told(outcomes, InvalidTransition)
    assert message == "Another mediator decided this first; reload the submission."
    with factory() as check:
        assert check.get(ChecklistSubmission, submission_id).decision == winner
        assert check.get(EmployerProfile, profile_id).status == winner.value
    decided = [a for a in audit_actions(factory, "employer", profile_id) if a == "decide"]
    assert decided == ["decide"]


LOST = "Another mediator changed this signal first; reload it."


def test_close_and_mark_serious_at_once_one_wins(committed, signal_in_review, both_read_first):
    _, factory = committed
    profile_id, signal_id, shown, (first, second) = signal_in_review
    both_read_first(2)

    outcomes = race(
        acting(factory, first, lambda s, m: close_signal(
            s, m, signal_id, shown, "no_action", "Nothing found.") and "closed"),
        acting(factory, second, lambda s, m: mark_serious(
            s, m, signal_id, shown, "Passports withheld.") and "serious"),
    )  # fmt: skip

    (winner,), (message,) = told(outcomes, InvalidTransition)
    assert message == LOST
    with factory() as check:
        row, profile = check.get(Signal, signal_id), check.get(EmployerProfile, profile_id)
        # The loser's act left no trace: a closed signal never suspended the employer.
        assert row.serious == (winner == "serious")
        assert (profile.status == "suspended") == (winner == "serious")
        assert (row.status == "closed") == (winner == "closed")
    acts = [a for a in audit_actions(factory, "signal", signal_id)]
    assert acts == ["report", "start_review", "close" if winner == "closed" else "mark_serious"]


def test_two_reviews_at_once_start_one_review(committed, signal, both_read_first):
    _, factory = committed
    _, signal_id, shown, (first, second) = signal
    both_read_first(2)

    outcomes = race(*(
        acting(factory, m, lambda s, u: start_review(s, u, signal_id, shown, notes=f"by {u.id}")
               and u.id)
        for m in (first, second)
    ))  # fmt: skip

    (winner,), (message,) = told(outcomes, InvalidTransition)
    assert message == LOST
    with factory() as check:
        row = check.get(Signal, signal_id)
        assert (row.status, row.version_id) == ("in_review", shown + 1)
        assert row.notes == f"by {winner}"
    assert [a for a in audit_actions(factory, "signal", signal_id) if a != "report"] == [
        "start_review"
    ]
