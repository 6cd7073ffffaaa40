"""The fair-work rules: the dated minimum-wage table, each rule at its boundary, the phrases."""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from matcher.vacancies.rules import (
    Finding,
    PayPeriod,
    Severity,
    VacancyTerms,
    check_vacancy,
    is_publishable,
    is_refused,
    must_review,
)
from matcher.vacancies.tables import (
    RulesError,
    WageTable,
    bundled_phrases,
    default_rules_path,
    housing_deduction_cap,
    load_phrases,
    load_wage_table,
    minimum_hourly_wage,
)

D = Decimal
JAN_2026 = date(2026, 1, 1)


@pytest.fixture(scope="module")
def table() -> WageTable:
    return load_wage_table()


def terms(**changes) -> VacancyTerms:
    """A fair full-time Dutch vacancy on 1 Jan 2026 at exactly the minimum wage."""
    base = {
        "country": "NL",
        "on": JAN_2026,
        "wage_amount": D("14.71"),
        "wage_period": PayPeriod.HOUR,
        "hours_per_week": D(40),
        "text": "Order picker in a warehouse in Venlo. Day shifts, training on the job.",
    }
    return VacancyTerms(**(base | changes))


def codes(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in findings]


# --- The table ----------------------------------------------------------------------------


def test_minimum_wage_in_force_on_each_date(table: WageTable) -> None:
    assert minimum_hourly_wage(table, "NL", date(2025, 12, 31)) == D("14.40")
    assert minimum_hourly_wage(table, "NL", JAN_2026) == D("14.71")
    assert minimum_hourly_wage(table, "NL", date(2025, 7, 1)) == D("14.40")


def test_no_minimum_before_the_first_row_or_without_a_statutory_minimum(table: WageTable) -> None:
    assert minimum_hourly_wage(table, "NL", date(2025, 6, 30)) is None
    assert minimum_hourly_wage(table, "FI", JAN_2026) is None
    assert minimum_hourly_wage(table, "DE", JAN_2026) is None


def test_housing_cap_is_a_quarter_of_the_minimum_wage_in_nl(table: WageTable) -> None:
    assert housing_deduction_cap(table, "NL", JAN_2026) == D("0.25")
    assert housing_deduction_cap(table, "FI", JAN_2026) is None


def test_every_bundled_row_names_its_source(table: WageTable) -> None:
    rows = table.countries["NL"].hourly_minimum + table.countries["NL"].housing_deduction_cap
    assert all(row.sources and row.sources[0].startswith("https://") for row in rows)
    assert not table.countries["FI"].statutory_minimum


@pytest.fixture
def raw() -> dict:
    return json.loads((default_rules_path() / "minimum-wages.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "wages.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def _nl_rows(raw: dict) -> list[dict]:
    return raw["countries"]["NL"]["hourly_minimum"]


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (lambda r: _nl_rows(r).reverse(), "must ascend"),
        (lambda r: _nl_rows(r)[1].update(valid_from=_nl_rows(r)[0]["valid_from"]), "must ascend"),
        (lambda r: _nl_rows(r)[0].update(gross_per_hour="0"), "positive"),
        (lambda r: _nl_rows(r)[0].update(gross_per_hour="-14.40"), "positive"),
        (lambda r: _nl_rows(r)[0].update(gross_per_hour="14,40"), "not a number"),
        (lambda r: _nl_rows(r)[0].update(gross_per_hour=14.4), "wrong type"),
        (lambda r: _nl_rows(r)[0].update(sources=[]), "source"),
        (lambda r: _nl_rows(r)[0].update(sources=["admintrend.nl"]), "source"),
        (lambda r: _nl_rows(r)[0].pop("sources"), "missing sources"),
        (lambda r: _nl_rows(r)[0].update(valid_from="1-7-2025"), "not an ISO date"),
        (lambda r: r["countries"]["NL"].update(hourly_minimum=[]), "needs its rows"),
        (lambda r: r["countries"]["FI"].update(sources=[]), "source"),
        (lambda r: r["countries"]["NL"].update(known_until="2025-12-31"), "before the last row"),
        (
            lambda r: r["countries"]["NL"]["housing_deduction_cap"][0].update(
                share_of_minimum_wage="1.5"
            ),
            "exceed 1",
        ),
    ],
)
def test_malformed_wage_table_is_refused(tmp_path, raw, breakage, complaint) -> None:
    broken = copy.deepcopy(raw)
    breakage(broken)
    with pytest.raises(RulesError, match=complaint):
        load_wage_table(_write(tmp_path, broken))


def test_unreadable_wage_table_is_refused(tmp_path) -> None:
    with pytest.raises(RulesError, match="not found"):
        load_wage_table(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid JSON"):
        load_wage_table(tmp_path / "bad.json")


def test_a_well_formed_copy_loads(tmp_path, raw) -> None:
    assert minimum_hourly_wage(load_wage_table(_write(tmp_path, raw)), "NL", JAN_2026) == D("14.71")


# --- V1 and V2: the wage ------------------------------------------------------------------


def test_exactly_the_minimum_hourly_wage_passes_and_a_cent_below_is_refused(table) -> None:
    assert check_vacancy(terms(), table) == []
    findings = check_vacancy(terms(wage_amount=D("14.70")), table)
    assert codes(findings) == [("V1", Severity.BLOCK)]
    assert findings[0].params["minimum"] == "14.71"
    assert "below the statutory minimum" in str(findings[0])
    assert findings[0].source.startswith("https://")


def test_the_minimum_of_the_publication_date_applies(table) -> None:
    assert check_vacancy(terms(wage_amount=D("14.40"), on=date(2025, 12, 31)), table) == []
    assert codes(check_vacancy(terms(wage_amount=D("14.40")), table)) == [("V1", Severity.BLOCK)]


def test_monthly_wage_is_normalised_with_52_over_12_weeks(table) -> None:
    # 14.71 x 40 x 52 / 12 = 2549.7333...: 2549.74 reaches it, 2549.73 does not.
    assert check_vacancy(terms(wage_amount=D("2549.74"), wage_period=PayPeriod.MONTH), table) == []
    below = check_vacancy(terms(wage_amount=D("2549.73"), wage_period=PayPeriod.MONTH), table)
    assert codes(below) == [("V1", Severity.BLOCK)]
    assert below[0].params["hourly"] == "14.70"


def test_monthly_wage_for_part_time_hours_uses_the_contracted_hours(table) -> None:
    # 20 h a week: 14.71 x 20 x 52 / 12 = 1274.8666...
    part_time = {"wage_period": PayPeriod.MONTH, "hours_per_week": D(20)}
    assert check_vacancy(terms(wage_amount=D("1274.87"), **part_time), table) == []
    assert check_vacancy(terms(wage_amount=D("1274.86"), **part_time), table) != []


def test_weekly_wage_is_divided_by_at_most_40_hours(table) -> None:
    weekly = {"wage_period": PayPeriod.WEEK}
    assert check_vacancy(terms(wage_amount=D("588.40"), **weekly), table) == []
    assert check_vacancy(terms(wage_amount=D("588.39"), **weekly), table) != []
    # Over 40 hours the checklist counts 40; unknown hours count as 40, the strictest reading.
    assert (
        check_vacancy(terms(wage_amount=D("588.40"), hours_per_week=D(45), **weekly), table) == []
    )
    assert check_vacancy(terms(wage_amount=D("588.39"), hours_per_week=None, **weekly), table) != []


def test_a_missing_wage_goes_to_a_mediator(table) -> None:
    findings = check_vacancy(terms(wage_amount=None, wage_period=None), table)
    assert codes(findings) == [("V2", Severity.HOLD)]
    assert must_review(findings) and not is_refused(findings)


def test_finland_has_no_statutory_minimum_so_a_mediator_checks_the_agreement(table) -> None:
    findings = check_vacancy(terms(country="FI", wage_amount=D("5.00")), table)
    assert codes(findings) == [("V1", Severity.HOLD)]
    assert "collective agreement" in str(findings[0])


def test_a_date_or_country_without_a_known_minimum_goes_to_a_mediator(table) -> None:
    assert codes(check_vacancy(terms(on=date(2025, 1, 1)), table)) == [("V1", Severity.HOLD)]
    assert codes(check_vacancy(terms(country="DE"), table)) == [("V1", Severity.HOLD)]


def test_after_the_table_runs_out_a_wage_at_the_last_minimum_goes_to_a_mediator(table) -> None:
    assert table.countries["NL"].known_until == date(2026, 6, 30)
    assert check_vacancy(terms(on=date(2026, 6, 30)), table) == []
    held = check_vacancy(terms(on=date(2026, 7, 1)), table)
    assert codes(held) == [("V1", Severity.HOLD)]
    assert held[0].params["known_until"] == "2026-06-30"
    # The minimum only rises, so a wage below the last known one is still refused.
    below = check_vacancy(terms(on=date(2026, 7, 1), wage_amount=D("14.70")), table)
    assert codes(below) == [("V1", Severity.BLOCK)]


# --- V3 and V4: fees and housing ----------------------------------------------------------


def test_fees_or_deposits_charged_to_workers_are_refused(table) -> None:
    findings = check_vacancy(terms(worker_fees=True), table)
    assert codes(findings) == [("V3", Severity.BLOCK)]
    assert is_refused(findings) and not must_review(findings) and not is_publishable(findings)


def _housing(rent: str, period: PayPeriod, **changes) -> VacancyTerms:
    return terms(
        housing_offered=True,
        housing_rent=D(rent),
        housing_rent_period=period,
        housing_deducted_from_pay=True,
        **changes,
    )


def test_weekly_housing_deduction_at_the_25_percent_cap_is_held_and_above_it_refused(table) -> None:
    # 25% of 14.71 x 40 h = 147.10 a week.
    assert codes(check_vacancy(_housing("147.10", PayPeriod.WEEK), table)) == [
        ("V4", Severity.HOLD)
    ]
    above = check_vacancy(_housing("147.11", PayPeriod.WEEK), table)
    assert codes(above) == [("V4", Severity.BLOCK)]
    assert above[0].params["cap"] == "637.43"


def test_monthly_housing_deduction_is_compared_with_the_monthly_cap(table) -> None:
    # 147.10 x 52 / 12 = 637.4333...
    assert check_vacancy(_housing("637.43", PayPeriod.MONTH), table)[0].severity is Severity.HOLD
    assert check_vacancy(_housing("637.44", PayPeriod.MONTH), table)[0].severity is Severity.BLOCK


def test_housing_cap_is_pro_rata_for_part_time_work(table) -> None:
    # 20 h: 25% of 14.71 x 20 = 73.55 a week.
    part_time = {"hours_per_week": D(20)}
    held = check_vacancy(_housing("73.55", PayPeriod.WEEK, **part_time), table)
    refused = check_vacancy(_housing("73.56", PayPeriod.WEEK, **part_time), table)
    assert codes(held) == [("V4", Severity.HOLD)]
    assert codes(refused) == [("V4", Severity.BLOCK)]


def test_housing_not_deducted_from_pay_raises_nothing(table) -> None:
    offered = terms(housing_offered=True, housing_rent=D(900), housing_rent_period=PayPeriod.MONTH)
    assert check_vacancy(offered, table) == []


def test_deduction_without_a_computable_cap_is_held(table) -> None:
    no_rent = terms(housing_offered=True, housing_deducted_from_pay=True)
    assert codes(check_vacancy(no_rent, table)) == [("V4", Severity.HOLD)]
    finnish = _housing("900", PayPeriod.MONTH, country="FI")
    assert ("V4", Severity.HOLD) in codes(check_vacancy(finnish, table))


def test_housing_tied_to_the_contract_is_held(table) -> None:
    findings = check_vacancy(terms(housing_offered=True, housing_tied_to_contract=True), table)
    assert codes(findings) == [("V4", Severity.HOLD)]
    assert "losing the home" in str(findings[0])


def test_impossible_terms_are_rejected() -> None:
    with pytest.raises(ValueError):
        terms(wage_amount=D(0))
    with pytest.raises(ValueError):
        terms(wage_period=None)
    with pytest.raises(ValueError):
        terms(hours_per_week=D(0))
    with pytest.raises(ValueError):
        terms(housing_rent=D(100), housing_rent_period=PayPeriod.HOUR)


# --- Phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "found"),
    [
        ("Start Monday, NO PAPERS NEEDED!", "V5", "NO PAPERS NEEDED"),
        ("Wages cash only, every Friday.", "V6", "cash only"),
        ("Geen papieren nodig, direct beginnen.", "V5", "Geen papieren nodig"),
        ("Loon wordt contant betaald.", "V6", "contant"),
        ("De huisvesting wordt\ningehouden op het loon.", "V4", "huisvesting wordt\ningehouden"),
        ("Betaling per stuk.", "V2", "per stuk"),
        ("Eenmalig inschrijfgeld van 50 euro.", "V3", "inschrijfgeld"),
    ],
)
def test_risky_phrases_in_english_and_dutch_are_held(table, text, code, found) -> None:
    findings = check_vacancy(terms(text=text), table)
    assert codes(findings) == [(code, Severity.HOLD)]
    assert findings[0].params == {"phrase": found}
    assert found in str(findings[0])


@pytest.mark.parametrize(
    "text",
    [
        "Contante betaling bestaat bij ons niet.",  # "contant" inside a longer word
        "We recontant nothing.",
        "Rijbewijs per stukgoedlevering.",
        "Our no-papers-needed-ish policy",  # hyphens join no words here: "papers-needed"
        "Wij hebben geen papieren nodigheid.",
    ],
)
def test_phrases_inside_other_words_do_not_fire(table, text) -> None:
    assert check_vacancy(terms(text=text), table) == []


def test_a_clean_vacancy_has_no_findings_and_may_be_published(table) -> None:
    findings = check_vacancy(terms(), table)
    assert findings == []
    assert is_publishable(findings) and not must_review(findings) and not is_refused(findings)


def test_a_block_outranks_a_hold(table) -> None:
    findings = check_vacancy(terms(worker_fees=True, text="cash only"), table)
    assert codes(findings) == [("V3", Severity.BLOCK), ("V6", Severity.HOLD)]
    assert is_refused(findings) and not must_review(findings) and not is_publishable(findings)


def test_phrase_list_names_a_checklist_code_for_each_phrase() -> None:
    phrases = bundled_phrases()
    assert {p.language for p in phrases} == {"en", "nl"}
    assert {"no papers needed", "cash only", "geen papieren nodig", "contant", "per stuk"} <= {
        p.phrase for p in phrases
    }


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"code": "X1", "language": "en", "phrase": "cash only"}, "code"),
        ({"code": "V6", "language": "de", "phrase": "nur bar"}, "en or nl"),
        ({"code": "V6", "language": "en"}, "missing phrase"),
    ],
)
def test_malformed_phrase_list_is_refused(tmp_path, entry, complaint) -> None:
    path = tmp_path / "phrases.json"
    path.write_text(json.dumps({"version": "1", "phrases": [entry]}), encoding="utf-8")
    with pytest.raises(RulesError, match=complaint):
        load_phrases(path)


def test_a_phrase_listed_twice_is_refused(tmp_path) -> None:
    entry = {"code": "V6", "language": "en", "phrase": "cash only"}
    path = tmp_path / "phrases.json"
    path.write_text(json.dumps({"phrases": [entry, {**entry, "phrase": "Cash Only"}]}))
    with pytest.raises(RulesError, match="twice"):
        load_phrases(path)
