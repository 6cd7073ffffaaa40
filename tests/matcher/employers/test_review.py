"""The mediators' read side: the waiting list, the review of a submission, the employers."""

from datetime import date, timedelta

import pytest

from matcher.employers.models import Decision
from matcher.employers.review import (
    Mark,
    get_employer_detail,
    get_submission_review,
    list_employers,
    list_waiting_submissions,
)
from matcher.employers.services import decide_vetting, save_answers, submit_checklist
from matcher.employers.signals import mark_serious, report_signal
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, InvalidTransition, NotFound
from tests.factories import make_user
from tests.matcher.employers.builders import (
    TODAY,
    add_evidence,
    add_knock_out_evidence,
    approved,
    employer_user,
    passing_answers,
    register,
    submitted,
)

ALL_DECISIONS = tuple(Decision)


def in_status(session, status, kvk, legal_name=""):
    """Another employer, submitted or approved, with its own KvK number."""
    profile = register(
        session,
        kvk=kvk,
        email=f"boss{kvk}@bakery.example",
        legal_name=legal_name or f"Bakery {kvk}",
    )
    employer = employer_user(session, profile)
    add_knock_out_evidence(session, save_answers(session, employer, passing_answers()))
    submission = submit_checklist(session, employer)
    if status == "approved":
        mediator = make_user(session, role="mediator")
        decide_vetting(
            session, mediator, submission.id, submission.version_id, "approved", today=TODAY
        )
    return profile


def item(review, item_id):
    return next(i for s in review.sections for i in s.items if i.item.id == item_id)


def test_the_waiting_list_is_oldest_submitted_first_with_score_and_knock_outs(session):
    profile, _, newer = submitted(session, passing_answers() | {"FE-07": True})
    older_profile = in_status(session, "submitted", "87654321")
    older = older_profile.submissions[-1]
    older.submitted_at = newer.submitted_at - timedelta(days=3)
    in_status(session, "approved", "11223344")
    mediator = make_user(session, role="mediator")

    waiting = list_waiting_submissions(session, mediator, now=newer.submitted_at)

    assert [w.submission_id for w in waiting] == [older.id, newer.id]
    assert [w.days_waiting for w in waiting] == [3, 0]
    assert (waiting[1].employer_name, waiting[1].employer_kind) == (profile.legal_name, "direct")
    assert waiting[1].knock_outs == ("FE-07",) and waiting[0].knock_outs == ()
    assert waiting[0].score == 100.0


def test_the_review_shows_answers_marks_evidence_and_what_may_be_decided(session):
    profile, _, submission = submitted(session, passing_answers() | {"FE-12": False})
    old = add_evidence(session, submission, "FE-01", issued_on=date(2026, 5, 1))
    new = add_evidence(session, submission, "FE-01", issued_on=date(2026, 11, 1))
    mediator = make_user(session, role="mediator")

    review = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert review.profile is profile and review.submission is submission
    assert [s.key for s in review.sections] == ["A", "B", "C", "D", "E", "G", "H", "I"]
    assert item(review, "FE-01").mark == Mark.PASS and not item(review, "FE-01").evidence_missing
    # The builder's undated document for FE-01 comes first; the newest one counts.
    assert [(e.id, e.counts, e.expired) for e in item(review, "FE-01").evidence][1:] == [
        (old.id, False, True),
        (new.id, True, False),
    ]
    assert item(review, "FE-01").evidence[-1].ends_on == date(2027, 2, 1)
    assert item(review, "FE-12").mark == Mark.FAIL and item(review, "FE-12").evidence_missing
    assert item(review, "FE-02").mark in (Mark.ANSWERED, Mark.MISSING)
    assert review.score.failed == ("FE-12",)
    assert review.decisions == ALL_DECISIONS and review.approval_refusal is None
    assert review.approval_end == date(2027, 2, 1)
    assert review.conditions_due == TODAY + timedelta(days=90)
    assert [(h.action, h.to_state) for h in review.history] == [
        ("register", "pending"),
        ("submit", "submitted"),
    ]


def test_a_knock_out_review_offers_no_approval_and_says_why(session):
    _, _, submission = submitted(session, passing_answers() | {"FE-07": True})
    mediator = make_user(session, role="mediator")

    review = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert item(review, "FE-07").mark == Mark.KNOCK_OUT
    assert review.score.knock_outs == ("FE-07",)
    assert review.decisions == (Decision.NEEDS_INFORMATION, Decision.REJECTED)
    assert "knock-out" in str(review.approval_refusal) and review.approval_end is None


def test_a_review_shows_open_signals_and_refuses_approval_while_one_is_serious(session):
    profile, _, submission = submitted(session)
    mediator = make_user(session, role="mediator")
    report_signal(session, None, text="Long hours.", employer_id=profile.id)
    serious = report_signal(session, None, text="Passports kept.", employer_id=profile.id)

    before = get_submission_review(session, mediator, submission.id, today=TODAY)
    assert len(before.open_signals) == 2 and not before.serious_signal
    mark_serious(session, mediator, serious.id, serious.version_id, "Passports withheld.")
    after = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert after.serious_signal
    assert Decision.APPROVED not in after.decisions
    assert "serious" in str(after.approval_refusal)


def test_a_decided_submission_is_shown_with_no_decision_left(session):
    profile, _, mediator = approved(session)
    submission = profile.submissions[-1]

    review = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert review.decisions == () and review.submission.decision == Decision.APPROVED
    assert review.history[-1].actor_email == mediator.email


def test_the_review_is_for_mediators_only_and_a_missing_submission_is_not_found(session):
    _, employer, submission = submitted(session)
    mediator = make_user(session, role="mediator")

    for user in (employer, make_user(session, role="coach"), make_user(session, role="admin")):
        with pytest.raises(Forbidden):
            get_submission_review(session, user, submission.id)
        with pytest.raises(Forbidden):
            list_waiting_submissions(session, user)
    with pytest.raises(NotFound):
        get_submission_review(session, mediator, submission.id + 1000)


def test_questions_asked_earlier_stay_in_the_history_after_resubmission(session):
    _, employer, submission = submitted(session)
    mediator = make_user(session, role="mediator")
    decide_vetting(
        session, mediator, submission.id, submission.version_id, "needs_information",
        reason="Which collective agreement applies?", today=TODAY,
    )  # fmt: skip
    submit_checklist(session, employer)

    review = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert [(h.action, h.to_state, h.reason) for h in review.history][-2:] == [
        ("decide", "needs_information", "Which collective agreement applies?"),
        ("submit", "submitted", ""),
    ]
    assert review.decisions == ALL_DECISIONS


def test_employers_are_listed_by_name_and_filtered_by_status(session):
    bakery = in_status(session, "approved", "22222222", "Zuiderbakkerij BV")
    pending = register(session, kvk="33333333", legal_name="Aardbeien BV", email="a@b.example")
    mediator = make_user(session, role="mediator")

    assert list_employers(session, mediator) == [pending, bakery]
    assert list_employers(session, mediator, "approved") == [bakery]
    assert list_employers(session, mediator, VettingStatus.EXPIRED) == []
    with pytest.raises(Forbidden):
        list_employers(session, make_user(session, role="coach"))


def test_the_employer_detail_shows_history_signals_conditions_and_possible_moves(session):
    profile, _, mediator = approved(session, "approved_with_conditions")
    signal = report_signal(session, None, text="Long hours.", employer_id=profile.id)

    detail = get_employer_detail(session, mediator, profile.id)

    assert detail.open_signals == (signal,)
    assert detail.conditions.conditions == "Show the new contracts."
    assert set(detail.targets) == {
        VettingStatus.SUSPENDED,
        VettingStatus.APPROVED,
    }
    assert [h.to_state for h in detail.history] == [
        "pending",
        "submitted",
        "approved_with_conditions",
    ]
    with pytest.raises(NotFound):
        get_employer_detail(session, mediator, profile.id + 1000)


def test_a_failed_heavy_item_allows_only_an_approval_with_conditions(session):
    _, _, submission = submitted(session, passing_answers() | {"FE-22": False})
    mediator = make_user(session, role="mediator")

    review = get_submission_review(session, mediator, submission.id, today=TODAY)

    assert Decision.APPROVED not in review.decisions
    assert Decision.APPROVED_WITH_CONDITIONS in review.decisions
    assert "Only an approval with conditions" in str(review.plain_approval_refusal)
    assert review.approval_refusal is None and review.approval_end is not None
    with pytest.raises(InvalidTransition, match="Only an approval with conditions"):
        decide_vetting(
            session, mediator, submission.id, submission.version_id, "approved", today=TODAY
        )
    assert submission.employer.status == VettingStatus.SUBMITTED
