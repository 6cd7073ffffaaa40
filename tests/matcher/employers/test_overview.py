"""The employer's own view of its vetting: what applies, what is missing, conditions, re-vetting."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.employers.evidence import store_evidence
from matcher.employers.models import SubmissionStatus
from matcher.employers.overview import (
    ChecklistIncomplete,
    get_employer_overview,
    start_new_checklist,
    submit_answers,
)
from matcher.employers.services import decide_vetting, save_answers, submit_checklist
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, InvalidTransition
from tests.factories import make_user
from tests.matcher.employers.builders import (
    TODAY,
    add_evidence,
    employer_in,
    employer_user,
    passing_answers,
    register,
)

PDF = b"%PDF-1.7\n%%EOF\n"


def ids(items):
    return [i.item.id for i in items]


def upload(session, employer, tmp_path, item_id, **kw):
    return store_evidence(
        session, employer, item_id, f"{item_id}.pdf", io.BytesIO(PDF), tmp_path, **kw
    )


def upload_all_needed(session, employer, tmp_path, **kw):
    for item in get_employer_overview(session, employer).missing:
        upload(session, employer, tmp_path, item.item.id, **kw)


def test_a_new_employer_sees_every_applicable_item_missing_and_may_edit(session):
    employer = employer_user(session, register(session))

    overview = get_employer_overview(session, employer)

    assert overview.status == VettingStatus.PENDING and overview.submission is None
    assert overview.editable and not overview.can_submit
    shown = [i.item.id for s in overview.sections for i in s.items]
    # A Dutch direct employer without housing: no agency, Finnish or housing items.
    assert "FE-01" in shown and "FE-27" in shown
    assert not {"FE-03", "FE-05", "FE-19", "FE-20"} & set(shown)
    assert "F" not in [s.key for s in overview.sections]
    # FE-02 only routes (agency or not); leaving it open is not "missing".
    assert "FE-02" in shown and "FE-02" not in ids(overview.missing)


def test_housing_and_agency_items_apply_when_the_profile_says_so(session):
    profile = register(session, employer_kind="agency", provides_housing=True)
    overview = get_employer_overview(session, employer_user(session, profile))
    shown = {i.item.id for s in overview.sections for i in s.items}
    assert {"FE-03", "FE-19", "FE-20"} <= shown and "FE-05" not in shown


def test_a_favourable_answer_needs_its_evidence_an_unfavourable_one_does_not(session, tmp_path):
    employer = employer_user(session, register(session))
    # FE-22: True claims a risk assessment (document it); False admits none (nothing to upload).
    save_answers(session, employer, passing_answers() | {"FE-22": False})

    missing = get_employer_overview(session, employer).missing

    assert all(i.missing_evidence and not i.missing_answer for i in missing)
    assert "FE-01" in ids(missing) and "FE-22" not in ids(missing)
    upload(session, employer, tmp_path, "FE-01")
    overview = get_employer_overview(session, employer)
    assert "FE-01" not in ids(overview.missing)
    [fe01] = [i for s in overview.sections for i in s.items if i.item.id == "FE-01"]
    assert fe01.answer is True and [e.original_name for e in fe01.evidence] == ["FE-01.pdf"]


def test_submit_answers_refuses_while_evidence_is_missing_but_keeps_the_answers(session):
    employer = employer_user(session, register(session))

    with pytest.raises(ChecklistIncomplete, match="FE-01"):
        submit_answers(session, employer, passing_answers())

    overview = get_employer_overview(session, employer)
    assert overview.submission.status == SubmissionStatus.DRAFT
    assert overview.submission.answers == passing_answers()


def test_submit_answers_submits_when_complete_and_the_checklist_turns_read_only(session, tmp_path):
    employer = employer_user(session, register(session))
    save_answers(session, employer, passing_answers())
    upload_all_needed(session, employer, tmp_path)

    submit_answers(session, employer, {})

    overview = get_employer_overview(session, employer)
    assert overview.status == VettingStatus.SUBMITTED
    assert not overview.editable and not overview.can_submit


def test_the_mediators_questions_are_shown_while_information_is_needed(session):
    profile = register(session)
    employer = employer_user(session, profile)
    save_answers(session, employer, passing_answers())
    submission = submit_checklist(session, employer)
    mediator = make_user(session, role="mediator")
    decide_vetting(session, mediator, submission.id, submission.version_id,
                   "needs_information", reason="Which cao applies?", today=TODAY)  # fmt: skip

    overview = get_employer_overview(session, employer)

    assert overview.status == VettingStatus.NEEDS_INFORMATION
    assert overview.questions == "Which cao applies?"
    assert overview.editable


def test_conditions_their_due_date_and_re_vetting_are_shown_after_approval(session, tmp_path):
    employer = employer_user(session, register(session))
    save_answers(session, employer, passing_answers())
    # The KvK extract counts 3 months from its issue date: re-vetting falls due before the year.
    upload_all_needed(session, employer, tmp_path, issued_on=date(2026, 11, 1))
    submission = submit_checklist(session, employer)
    mediator = make_user(session, role="mediator")
    decide_vetting(session, mediator, submission.id, submission.version_id,
                   "approved_with_conditions", conditions="Translate the contracts.",
                   conditions_due=date(2027, 2, 1), today=TODAY)  # fmt: skip

    overview = get_employer_overview(session, employer)

    assert overview.status == VettingStatus.APPROVED_WITH_CONDITIONS
    assert overview.conditions == "Translate the contracts."
    assert overview.conditions_due == date(2027, 2, 1)
    assert overview.approved_until is not None
    assert overview.evidence_expires_on == date(2027, 2, 1)
    assert overview.revetting_due == min(overview.approved_until, date(2027, 2, 1))
    assert not overview.editable and overview.questions == ""


def test_only_employers_have_an_overview(session):
    with pytest.raises(Forbidden):
        get_employer_overview(session, make_user(session, role="mediator"))


@pytest.mark.parametrize("status", ["rejected", "expired"])
def test_a_rejected_or_expired_employer_starts_again_from_its_last_answers(session, status):
    profile = employer_in(session, status)
    employer = employer_user(session, profile)
    last = profile.submissions[-1]
    add_evidence(session, last)

    draft = start_new_checklist(session, employer)

    assert profile.status == VettingStatus.PENDING
    assert draft is not last and draft.status == SubmissionStatus.DRAFT
    assert draft.answers == last.answers and draft.evidence == []
    assert last.status == SubmissionStatus.DECIDED  # the old decision is kept as it was
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "restart")).one()
    assert (event.from_state, event.to_state, event.actor_id) == (status, "pending", employer.id)


@pytest.mark.parametrize("status", ["pending", "submitted", "approved", "suspended"])
def test_only_a_rejected_or_expired_employer_can_start_again(session, status):
    profile = employer_in(session, status)
    with pytest.raises(InvalidTransition):
        start_new_checklist(session, employer_user(session, profile))
    assert profile.status == status
