"""The fair-work rules every vacancy passes before it is published: pure, no database.

The figures (minimum wages, the housing-deduction cap) and the risky phrases are data in
data/rules/, taken from ../shared/fair_employer_checklist.md section 4 (red flags V1 to V16).
Structured fields that break the law block a vacancy; everything a machine cannot judge with
certainty (phrases, tied housing, a country without a statutory minimum) goes to a mediator.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from matcher.errors import N_
from matcher.vacancies.tables import (
    Phrase,
    WageTable,
    bundled_phrases,
    housing_deduction_cap,
    minimum_row,
)

# The checklist's V1 normalisation: a month is 52/12 weeks, and at most 40 hours a week count.
WEEKS_PER_YEAR, MONTHS_PER_YEAR = 52, 12
MAX_HOURS_PER_WEEK = Decimal(40)
CENT = Decimal("0.01")
_CODE = re.compile(r"V[0-9]{1,2}")


class Severity(enum.StrEnum):
    BLOCK = "block"  # refused: the employer must change the vacancy
    HOLD = "hold"  # a mediator reviews it before it is published


class PayPeriod(enum.StrEnum):
    HOUR = "hour"
    WEEK = "week"
    MONTH = "month"


# Messages: English templates the web layer translates, then fills in.
V1_BELOW_MINIMUM = N_(
    "The wage works out at €%(hourly)s gross an hour. That is below the statutory minimum "
    "wage of €%(minimum)s an hour in %(country)s from %(valid_from)s, so it may not be offered."
)
V1_NO_STATUTORY_MINIMUM = N_(
    "%(country)s has no statutory minimum wage. A mediator checks the wage against the "
    "collective agreement for this work before the vacancy is published."
)
V1_MINIMUM_UNKNOWN = N_(
    "We hold no minimum wage for %(country)s on %(date)s. A mediator checks the wage "
    "before the vacancy is published."
)
V1_TABLE_OUTDATED = N_(
    "Our minimum-wage table for %(country)s runs until %(known_until)s, and the minimum may "
    "have risen since. A mediator checks the wage before the vacancy is published."
)
V2_NO_WAGE = N_(
    "The vacancy states no wage. Pay is an essential term of work, so a mediator asks for it "
    "before the vacancy is published."
)
V3_WORKER_FEES = N_(
    "Workers are asked to pay fees or deposits. Employers pay the costs of recruitment, "
    "never the worker, so this vacancy cannot be published."
)
V4_ABOVE_CAP = N_(
    "Housing of €%(rent)s a month is deducted from pay. The law allows at most €%(cap)s a "
    "month for %(hours)s hours a week (%(share)s%% of the minimum wage), so it may not be offered."
)
V4_DEDUCTED = N_(
    "Housing is deducted from pay. That is allowed only within the legal limit and with the "
    "worker's written consent, so a mediator checks it before the vacancy is published."
)
V4_TIED = N_(
    "Housing is tied to the job: losing the job would mean losing the home. A mediator checks "
    "this before the vacancy is published."
)
PHRASE_FOUND = N_(
    'The text says "%(phrase)s", which often goes with unfair work. A mediator reads the '
    "vacancy before it is published."
)

_SOURCE_V2 = "fair_employer_checklist.md §4 V2: Directive (EU) 2019/1152 (pay is an essential term)"
_SOURCE_V3 = "fair_employer_checklist.md §4 V3: ILO fees definition; Employer Pays; Waadi art. 3/9"
_SOURCE_V4 = "fair_employer_checklist.md §4 V4: WML/WAS deduction conditions; Roemer"


# --- The check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VacancyTerms:
    """What the rules need from a vacancy; amounts are gross euros as Decimal."""

    country: str
    on: date  # the day the vacancy would be published
    wage_amount: Decimal | None
    wage_period: PayPeriod | None
    hours_per_week: Decimal | None = None
    housing_offered: bool = False
    housing_rent: Decimal | None = None
    housing_rent_period: PayPeriod | None = None
    housing_deducted_from_pay: bool = False
    housing_tied_to_contract: bool = False
    worker_fees: bool = False  # fees or deposits charged to workers
    text: str = ""  # title and description

    def __post_init__(self) -> None:
        # The vacancy form validates these first; reaching here with them is a programming error.
        if self.wage_amount is not None and (self.wage_amount <= 0 or self.wage_period is None):
            raise ValueError("a wage must be a positive amount with its period")
        if self.hours_per_week is not None and self.hours_per_week <= 0:
            raise ValueError("hours per week must be more than zero")
        if self.housing_rent is not None and (
            self.housing_rent < 0
            or self.housing_rent_period not in (PayPeriod.WEEK, PayPeriod.MONTH)
        ):
            raise ValueError("a rent must be an amount per week or per month")


@dataclass(frozen=True)
class Finding:
    """One rule that fired: its code in the checklist, what happens, and why in plain words."""

    code: str
    severity: Severity
    message: str  # English template with %(name)s placeholders
    params: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


def check_vacancy(
    terms: VacancyTerms, table: WageTable, phrases: Iterable[Phrase] | None = None
) -> list[Finding]:
    """Check a vacancy against the fair-work rules; an empty list means it may be published."""
    findings = _check_wage(terms, table)
    if terms.worker_fees:
        findings.append(Finding("V3", Severity.BLOCK, V3_WORKER_FEES, {}, _SOURCE_V3))
    findings += _check_housing(terms, table)
    findings += _check_text(terms.text, bundled_phrases() if phrases is None else phrases)
    return findings


def is_refused(findings: Iterable[Finding]) -> bool:
    """Whether the employer must change the vacancy before anything else happens."""
    return any(f.severity is Severity.BLOCK for f in findings)


def must_review(findings: Iterable[Finding]) -> bool:
    """Whether a mediator reviews the vacancy before it is published (it is not refused)."""
    findings = list(findings)
    return not is_refused(findings) and any(f.severity is Severity.HOLD for f in findings)


def is_publishable(findings: Iterable[Finding]) -> bool:
    """Whether the vacancy may be published without a mediator."""
    return not any(f.severity in (Severity.BLOCK, Severity.HOLD) for f in findings)


def _counted_hours(terms: VacancyTerms) -> Decimal:
    # Unknown hours count as a full week: the strictest reading the 40-hour ceiling allows.
    hours = terms.hours_per_week or MAX_HOURS_PER_WEEK
    return min(hours, MAX_HOURS_PER_WEEK)


def _per_year(amount: Decimal, period: PayPeriod, hours: Decimal) -> Decimal:
    """The amount over a year of 52 weeks: weekly and monthly amounts then compare exactly."""
    if period is PayPeriod.HOUR:
        return amount * hours * WEEKS_PER_YEAR
    if period is PayPeriod.WEEK:
        return amount * WEEKS_PER_YEAR
    return amount * MONTHS_PER_YEAR


def _check_wage(terms: VacancyTerms, table: WageTable) -> list[Finding]:
    if terms.wage_amount is None or terms.wage_period is None:
        return [Finding("V2", Severity.HOLD, V2_NO_WAGE, {}, _SOURCE_V2)]
    rules = table.countries.get(terms.country)
    if rules is not None and not rules.statutory_minimum:
        # No statutory figure to refuse on, and no TES table yet: a person checks instead.
        source = rules.sources[0]
        return [Finding("V1", Severity.HOLD, V1_NO_STATUTORY_MINIMUM, _country(terms), source)]
    row = minimum_row(table, terms.country, terms.on)
    if row is None:
        params = {**_country(terms), "date": terms.on.isoformat()}
        return [Finding("V1", Severity.HOLD, V1_MINIMUM_UNKNOWN, params, "")]
    hours = _counted_hours(terms)
    yearly = _per_year(terms.wage_amount, terms.wage_period, hours)
    if yearly >= row.value * hours * WEEKS_PER_YEAR:
        if rules and rules.known_until and terms.on > rules.known_until:
            params = {**_country(terms), "known_until": rules.known_until.isoformat()}
            return [Finding("V1", Severity.HOLD, V1_TABLE_OUTDATED, params, row.sources[0])]
        return []
    params = {
        **_country(terms),
        # Rounded down: an underpaid wage must never be shown as the minimum itself.
        "hourly": _money(yearly / (hours * WEEKS_PER_YEAR), ROUND_DOWN),
        "minimum": _money(row.value),
        "valid_from": row.valid_from.isoformat(),
    }
    return [Finding("V1", Severity.BLOCK, V1_BELOW_MINIMUM, params, row.sources[0])]


def _check_housing(terms: VacancyTerms, table: WageTable) -> list[Finding]:
    findings: list[Finding] = []
    if terms.housing_deducted_from_pay:
        findings.append(_check_deduction(terms, table))
    if terms.housing_tied_to_contract:
        findings.append(Finding("V4", Severity.HOLD, V4_TIED, {}, _SOURCE_V4))
    return findings


def _check_deduction(terms: VacancyTerms, table: WageTable) -> Finding:
    held = Finding("V4", Severity.HOLD, V4_DEDUCTED, {}, _SOURCE_V4)
    share = housing_deduction_cap(table, terms.country, terms.on)
    minimum = minimum_row(table, terms.country, terms.on)
    if share is None or minimum is None or terms.housing_rent is None:
        return held  # no cap to compute against: a mediator checks the deduction by hand
    assert terms.housing_rent_period is not None  # guaranteed by VacancyTerms
    hours = _counted_hours(terms)  # pro rata for part-time work, as the WML cap requires
    rent = _per_year(terms.housing_rent, terms.housing_rent_period, hours)
    cap = share * minimum.value * hours * WEEKS_PER_YEAR
    if rent <= cap:
        return held
    params = {
        "rent": _money(rent / MONTHS_PER_YEAR),
        "cap": _money(cap / MONTHS_PER_YEAR, ROUND_DOWN),  # a limit shown never exceeds the law
        "hours": f"{hours.normalize():f}",
        "share": f"{(share * 100).normalize():f}",
    }
    return Finding("V4", Severity.BLOCK, V4_ABOVE_CAP, params, minimum.sources[0])


def _check_text(text: str, phrases: Iterable[Phrase]) -> list[Finding]:
    # Phrases only hold, never block: a text match cannot tell "we charge a placement fee"
    # from "we never charge a placement fee" (checklist §4, implementation notes).
    findings = []
    for phrase in phrases:
        match = phrase.pattern.search(text)
        if match:
            source = f"fair_employer_checklist.md §4 {phrase.code}"
            params = {"phrase": match.group(0)}
            findings.append(Finding(phrase.code, Severity.HOLD, PHRASE_FOUND, params, source))
    return findings


def _country(terms: VacancyTerms) -> dict[str, str]:
    return {"country": terms.country}


def _money(amount: Decimal, rounding: str = ROUND_CEILING) -> str:
    # A minimum is shown rounded up, so that paying the amount shown is always enough.
    return f"{amount.quantize(CENT, rounding=rounding):.2f}"
