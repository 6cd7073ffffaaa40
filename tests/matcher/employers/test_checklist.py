"""The bundled fair-employer checklist, its strict validation, scoring and approval end date."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from matcher.employers.checklist import (
    AnswerType,
    Checklist,
    ChecklistError,
    default_checklist_path,
    load_checklist,
    parse_checklist,
)
from matcher.employers.scoring import Outcome, add_months, approval_end_date, score_answers
from matcher.errors import ValidationError

BUNDLED = default_checklist_path() / "fair-employer-v1.json"


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_checklist("1")


@pytest.fixture
def raw() -> dict:
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


def good_answers(checklist: Checklist) -> dict:
    """An answer for every scored item that passes it."""
    answers = {}
    for item in checklist.items:
        if item.routing:
            continue
        if item.pass_values:
            answers[item.id] = item.pass_values[0]
        elif item.answer_type is AnswerType.YES_NO:
            answers[item.id] = not item.knock_out_values[0]
        elif item.answer_type is AnswerType.CHOICE:
            answers[item.id] = next(
                o.value for o in item.options if o.value not in item.knock_out_values
            )
    return answers


def by_key(checklist: Checklist, key: str) -> str:
    return checklist.item_by_key(key).id


# --- the bundled file -------------------------------------------------------------------------


def test_bundled_checklist_loads_by_version_and_by_path(checklist):
    assert checklist.version == "1"
    assert load_checklist(BUNDLED) == checklist
    assert checklist.max_validity_months == 12
    assert checklist.valid_from <= date(2026, 12, 31)


def test_bundled_checklist_has_every_item_of_the_document(checklist):
    assert [item.id for item in checklist.items] == [f"FE-{n:02d}" for n in range(1, 30)]
    keys = {item.key for item in checklist.items}
    assert {
        "legal_registration",
        "no_recruitment_fees",
        "no_document_retention",
        "freedom_of_movement",
        "wage_at_or_above_legal_minimum",
        "housing_separate_contract",
        "accepts_job_coach_support",
        "trauma_informed_supervision_confidentiality",
    } <= keys


def test_recruitment_fees_and_document_retention_are_knock_outs(checklist):
    fees = checklist.item_by_key("no_recruitment_fees")
    documents = checklist.item_by_key("no_document_retention")
    # Both questions ask "do you ...?": a yes is the knock-out.
    assert fees.knocks_out(True) and not fees.knocks_out(False)
    assert documents.knocks_out(True) and not documents.knocks_out(False)


def test_ilo_indicator_knock_outs_cannot_be_overridden(checklist):
    keys = [
        "no_recruitment_fees",
        "wage_paid_to_worker_account",
        "deductions_within_limits",
        "freedom_to_resign",
        "no_document_retention",
        "freedom_of_movement",
    ]
    assert all(not checklist.item_by_key(k).knock_out_overridable for k in keys)


def test_every_item_has_english_and_dutch_text(checklist):
    for item in checklist.items:
        for text in (item.question, item.evidence.description, *(o.label for o in item.options)):
            assert text.en.strip() and text.nl.strip(), item.id
            assert text.en != text.nl, item.id


def test_every_item_is_scored_or_marked_as_routing(checklist):
    for item in checklist.items:
        assert item.knock_out or item.weight or item.routing, item.id
        assert item.recheck_months > 0 and item.source


# --- malformed files --------------------------------------------------------------------------


def _item(raw: dict, item_id: str) -> dict:
    return next(i for i in raw["items"] if i["id"] == item_id)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda r: _item(r, "FE-07").update(answer_type="slider"), "FE-07: unknown answer type"),
        (lambda r: _item(r, "FE-08").update(id="FE-07"), "FE-07: duplicate id"),
        (lambda r: _item(r, "FE-09")["question"].pop("nl"), "FE-09 question: missing Dutch"),
        (lambda r: _item(r, "FE-09")["question"].update(nl=" "), "FE-09 question: missing Dutch"),
        (
            lambda r: _item(r, "FE-12")["evidence"]["description"].pop("nl"),
            "FE-12 evidence description: missing Dutch",
        ),
        (
            lambda r: _item(r, "FE-17").update(knock_out_values=[]),
            "FE-17: knock-out item without knock_out_values",
        ),
        (lambda r: _item(r, "FE-12").update(weight=0), "FE-12: weight must be a number greater"),
        (lambda r: _item(r, "FE-12").update(weight=-2), "FE-12: weight must be a number greater"),
        (lambda r: _item(r, "FE-12").update(weight=None), "FE-12: needs knock_out, a weight"),
        (lambda r: _item(r, "FE-12").update(pass_values=[]), "FE-12: weighted item without pass"),
        (
            lambda r: _item(r, "FE-08").update(knock_out_values=["maybe"]),
            "FE-08: 'maybe' is not a valid choice answer",
        ),
        (lambda r: _item(r, "FE-17").update(knock_out_values=["yes"]), "FE-17: 'yes' is not"),
        (lambda r: _item(r, "FE-12").update(section="Z"), "FE-12: unknown section"),
        (lambda r: _item(r, "FE-12").update(applies_to=["MARS"]), "FE-12: applies_to"),
        (lambda r: _item(r, "FE-12").pop("source"), "FE-12: missing source"),
        (lambda r: r.pop("max_validity_months"), "missing max_validity_months"),
        (lambda r: r.update(valid_from="next year"), "valid_from: not an ISO date"),
        (lambda r: r["scoring"].update(conditions_min_score=90), "conditions_min_score"),
        (lambda r: r["sections"].update(A="Identity"), "section A: expected"),
        (lambda r: _item(r, "FE-08")["options"].append("maybe"), "FE-08 option: expected"),
        (lambda r: r["items"].append(copy.deepcopy(_item(r, "FE-07"))), "FE-07: duplicate id"),
    ],
)
def test_malformed_checklist_is_refused_naming_the_problem(raw, break_it, message):
    broken = copy.deepcopy(raw)
    break_it(broken)
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(broken)


def test_checklist_error_is_a_validation_error():
    assert issubclass(ChecklistError, ValidationError)


def test_missing_or_invalid_file_is_a_checklist_error(tmp_path: Path):
    with pytest.raises(ChecklistError, match="not found"):
        load_checklist("99")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ChecklistError, match="not valid JSON"):
        load_checklist(bad)


# --- scoring ----------------------------------------------------------------------------------


def test_all_passing_answers_approve_with_full_score(checklist):
    result = score_answers(checklist, good_answers(checklist))
    assert result.outcome is Outcome.APPROVED and result.passed
    assert result.score == 100.0
    assert result.knock_outs == result.missing == result.failed == ()


def test_a_knock_out_rejects_whatever_the_score(checklist):
    answers = good_answers(checklist)
    answers[by_key(checklist, "no_recruitment_fees")] = True
    result = score_answers(checklist, answers)
    assert result.knock_outs == (by_key(checklist, "no_recruitment_fees"),)
    assert result.score == 100.0
    assert result.outcome is Outcome.REJECTED and not result.passed


def test_knock_out_value_of_a_choice_item_rejects(checklist):
    answers = good_answers(checklist)
    answers[by_key(checklist, "working_hours_within_limits")] = "above_legal_maximum"
    assert score_answers(checklist, answers).outcome is Outcome.REJECTED


def test_a_serious_weighted_failure_gives_conditions(checklist):
    answers = good_answers(checklist)
    grievance = by_key(checklist, "grievance_mechanism")
    answers[grievance] = False
    result = score_answers(checklist, answers)
    assert result.serious_failures == (grievance,)
    assert result.score >= 80
    assert result.outcome is Outcome.APPROVED_WITH_CONDITIONS


def test_score_is_the_passed_share_of_applicable_weights(checklist):
    answers = good_answers(checklist)
    answers[by_key(checklist, "worker_representation")] = False  # weight 1
    scopes = {"NL"}
    applicable = [i for i in checklist.items if i.weight and i.applies(scopes)]
    total = sum(i.weight for i in applicable)
    result = score_answers(checklist, answers, scopes=scopes)
    assert result.score == round(100 * (total - 1) / total, 1)
    assert result.outcome is Outcome.APPROVED  # a W1 failure alone is no condition


def test_low_score_rejects_and_middle_score_gives_conditions(checklist):
    answers = good_answers(checklist)
    weighted = [i for i in checklist.items if i.weight and i.weight < 3 and i.applies({"NL"})]
    for item in weighted:
        answers[item.id] = False if item.answer_type is AnswerType.YES_NO else answers[item.id]
    middle = score_answers(checklist, answers, scopes={"NL"})
    assert 60 <= middle.score < 80
    assert middle.outcome is Outcome.APPROVED_WITH_CONDITIONS
    for item in checklist.items:
        if item.weight and item.answer_type is AnswerType.YES_NO:
            answers[item.id] = False
    low = score_answers(checklist, answers, scopes={"NL"})
    assert low.score < 60 and low.knock_outs == ()
    assert low.outcome is Outcome.REJECTED


def test_missing_answers_are_listed_and_missing_knock_outs_block(checklist):
    answers = good_answers(checklist)
    documents = by_key(checklist, "no_document_retention")
    payslip = by_key(checklist, "payslip_itemised")
    del answers[documents], answers[payslip]
    result = score_answers(checklist, answers)
    assert set(result.missing) == {documents, payslip}
    assert result.missing_knock_outs == (documents,)
    assert payslip in result.failed  # an unanswered weighted item is not a pass
    assert result.outcome is Outcome.INCOMPLETE and not result.passed


def test_items_outside_the_employers_scopes_are_not_required(checklist):
    answers = {
        k: v for k, v in good_answers(checklist).items() if checklist.item(k).applies_to == ("ALL",)
    }
    assert score_answers(checklist, answers, scopes=set()).outcome is Outcome.APPROVED
    survivor = score_answers(checklist, answers, scopes={"SURVIVOR"})
    assert by_key(checklist, "accepts_job_coach_support") in survivor.missing_knock_outs
    agency = score_answers(checklist, answers, scopes={"NL", "AGENCY"})
    assert by_key(checklist, "agency_sna_registration") in agency.missing
    assert by_key(checklist, "contractor_liability_reports") not in agency.missing


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("no_recruitment_fees", 1),
        ("no_recruitment_fees", "no"),
        ("no_document_retention", "yes"),
        ("working_hours_within_limits", "fine"),
        ("working_hours_within_limits", True),
    ],
)
def test_an_answer_of_the_wrong_kind_is_refused(checklist, key, value):
    # "no" must not slip past a knock-out as if it were an answer that passes.
    answers = good_answers(checklist)
    item_id = by_key(checklist, key)
    answers[item_id] = value
    with pytest.raises(ValidationError, match=f"Answer to {item_id}: {value!r} is not a valid"):
        score_answers(checklist, answers)


def test_an_answer_to_an_unknown_item_is_refused(checklist):
    with pytest.raises(ValidationError, match="unknown item 'FE-99'"):
        score_answers(checklist, {**good_answers(checklist), "FE-99": True})


# --- approval end date ------------------------------------------------------------------------


def test_approval_ends_after_the_maximum_validity(checklist):
    assert approval_end_date(checklist, date(2026, 11, 23), []) == date(2027, 11, 23)


def test_approval_ends_at_the_earliest_evidence_expiry(checklist):
    expiry = [date(2027, 5, 1), date(2027, 2, 28), date(2028, 1, 1)]
    assert approval_end_date(checklist, date(2026, 11, 23), expiry) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected
