"""What an employer sends to post or change a vacancy, and the checks every field passes first.

The fair-work rules (rules.py) judge the terms; this module only makes sure each field is
well-formed and consistent, so that the rules and the schema's constraints never see nonsense.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import N_, ValidationError
from matcher.profiles.models import Cefr, Shift
from matcher.profiles.rules import cefr_level, language_code
from matcher.skills.models import Concept, ConceptKind
from matcher.vacancies.models import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    ContractType,
    Support,
)
from matcher.vacancies.rules import PayPeriod

MIN_HOURS, MAX_HOURS = 1, 60
MIN_MONTHS, MAX_MONTHS = 1, 120
# Above these a figure is a typing error, not a wage: the columns hold 10 digits anyway.
MAX_WAGE = {PayPeriod.HOUR: Decimal(500), PayPeriod.WEEK: Decimal(20_000),
            PayPeriod.MONTH: Decimal(80_000)}  # fmt: skip
MAX_RENT = Decimal(10_000)
MAX_LANGUAGES, MAX_SKILLS = 10, 60
# A vacancy stays open at most this long; the scheduler closes it after its closing date.
MAX_OPEN_DAYS = 366
# Contracts with an end date the worker must know in advance (Directive (EU) 2019/1152 art. 4).
NEEDS_MONTHS = frozenset({ContractType.FIXED_TERM, ContractType.SEASONAL})
RENT_PERIODS = (PayPeriod.WEEK, PayPeriod.MONTH)


@dataclass(frozen=True)
class VacancyDraft:
    """Every field of a vacancy as the employer filled it in; nothing here is trusted yet."""

    title: str
    place: str
    hours_per_week: int | None
    contract_type: ContractType | str
    wage_amount: Decimal | None
    wage_period: PayPeriod | str
    closing_date: date | None
    essential_skills: tuple[str, ...] = ()
    optional_skills: tuple[str, ...] = ()
    occupation_uri: str | None = None
    description: str = ""
    shifts: tuple[str, ...] = ()
    contract_months: int | None = None
    housing_offered: bool = False
    housing_rent: Decimal | None = None
    housing_rent_period: PayPeriod | str | None = None
    housing_deducted_from_pay: bool = False
    housing_tied_to_contract: bool = False
    worker_fees: bool = False
    languages: tuple[tuple[str, Cefr | str], ...] = ()  # (ISO 639 code, CEFR level)
    support: tuple[str, ...] = field(default=())


def validated_draft(session: Session, draft: VacancyDraft, today: date) -> VacancyDraft:
    """The draft with every field checked and cleaned; refuses the lot if one is wrong."""
    contract, wage_period = _contract_type(draft.contract_type), _pay_period(draft.wage_period)
    cleaned = replace(
        draft,
        title=_line(draft.title, TITLE_MAX, N_("The title")),
        place=_line(draft.place, PLACE_MAX, N_("The place of work")),
        description=_text(draft.description, DESCRIPTION_MAX),
        hours_per_week=_whole(draft.hours_per_week, MIN_HOURS, MAX_HOURS, N_("The hours per week")),
        contract_type=contract,
        contract_months=_months(contract, draft.contract_months),
        wage_amount=_wage(draft.wage_amount, wage_period),
        wage_period=wage_period,
        closing_date=_closing_date(draft.closing_date, today),
        shifts=_choices(draft.shifts, Shift, N_("%(value)s is not a shift.")),
        support=_choices(draft.support, Support, N_("%(value)s is not a kind of support.")),
        languages=_languages(draft.languages),
        occupation_uri=_occupation(session, draft.occupation_uri),
    )
    cleaned = _housing(cleaned)
    essential, optional = _skills(session, draft.essential_skills, draft.optional_skills)
    return replace(cleaned, essential_skills=essential, optional_skills=optional)


def _line(value: str | None, maximum: int, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError("Fill in %(what)s.", what=what)
    if len(value) > maximum:
        raise ValidationError("%(what)s may be at most %(max)d characters long.",
                              what=what, max=maximum)  # fmt: skip
    return value


def _text(value: str | None, maximum: int) -> str:
    value = (value or "").strip()
    if len(value) > maximum:
        raise ValidationError("%(what)s may be at most %(max)d characters long.",
                              what=N_("The description"), max=maximum)  # fmt: skip
    return value


def _whole(value: int | None, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError("%(what)s must be a whole number from %(low)d to %(high)d.",
                              what=what, low=low, high=high)  # fmt: skip
    return value


def _contract_type(value: ContractType | str) -> ContractType:
    try:
        return ContractType(value)
    except ValueError:
        raise ValidationError("Choose a kind of contract.") from None


def _pay_period(value: PayPeriod | str | None) -> PayPeriod:
    try:
        return PayPeriod(value)
    except ValueError:
        message = N_("Say whether the wage is an hourly, weekly or monthly amount.")
        raise ValidationError(message) from None


def _months(contract: ContractType, months: int | None) -> int | None:
    if contract in NEEDS_MONTHS and months is None:
        raise ValidationError("Say how many months the contract runs.")
    if contract == ContractType.PERMANENT and months is not None:
        raise ValidationError("A permanent contract has no length in months.")
    if months is None:
        return None
    return _whole(months, MIN_MONTHS, MAX_MONTHS, N_("The length of the contract in months"))


def _amount(value: Decimal | None, what: str) -> Decimal:
    try:
        amount = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("%(what)s must be an amount in euros.", what=what) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("%(what)s must be an amount in euros and cents.", what=what)
    return amount


def _wage(value: Decimal | None, period: PayPeriod) -> Decimal:
    if value is None:
        raise ValidationError("Fill in the gross wage.")
    amount = _amount(value, N_("The wage"))
    if amount <= 0:
        raise ValidationError("The wage must be more than zero.")
    if amount > MAX_WAGE[period]:
        raise ValidationError("A gross wage of €%(amount)s %(period)s is more than we accept;"
                              " check the amount and its period.",
                              amount=amount, period=period)  # fmt: skip
    return amount


def _closing_date(value: date | None, today: date) -> date:
    if value is None:
        raise ValidationError("Fill in the closing date.")
    if value <= today:
        raise ValidationError("The closing date must lie in the future.")
    if value > today + timedelta(days=MAX_OPEN_DAYS):
        raise ValidationError("The closing date may be at most a year from today.")
    return value


def _choices(values: Iterable[str], kind: type, message: str) -> tuple[str, ...]:
    chosen = set()
    for value in values:
        try:
            chosen.add(kind(value))
        except ValueError:
            raise ValidationError(message, value=str(value)) from None
    return tuple(member.value for member in kind if member in chosen)  # the enum's order


def _languages(rows: Iterable[tuple[str, Cefr | str]]) -> tuple[tuple[str, Cefr], ...]:
    cleaned: dict[str, Cefr] = {}
    for code, level in rows:
        code = language_code(code)
        if code in cleaned:
            raise ValidationError("%(code)s is listed twice; keep one level per language.",
                                  code=code)  # fmt: skip
        cleaned[code] = cefr_level(level)
    if len(cleaned) > MAX_LANGUAGES:
        raise ValidationError("List at most %(max)d languages.", max=MAX_LANGUAGES)
    return tuple(cleaned.items())


def _housing(draft: VacancyDraft) -> VacancyDraft:
    rent, period = draft.housing_rent, draft.housing_rent_period
    if not draft.housing_offered:
        if rent is not None or draft.housing_deducted_from_pay or draft.housing_tied_to_contract:
            raise ValidationError("Rent and housing terms apply only when housing is offered.")
        return replace(draft, housing_rent_period=None)
    if rent is None:
        if draft.housing_deducted_from_pay:
            # The rules compare the deduction with the legal cap: they need the amount.
            raise ValidationError("Fill in the rent that is deducted from pay.")
        return replace(draft, housing_rent_period=None)
    amount = _amount(rent, N_("The rent"))
    if not 0 <= amount <= MAX_RENT:
        raise ValidationError("The rent must be an amount from €0 to €%(max)s.", max=MAX_RENT)
    if period not in RENT_PERIODS:
        raise ValidationError("Say whether the rent is a weekly or a monthly amount.")
    return replace(draft, housing_rent=amount, housing_rent_period=PayPeriod(period))


def _occupation(session: Session, uri: str | None) -> str | None:
    uri = (uri or "").strip()
    if not uri:
        return None
    found = select(Concept.id).where(Concept.uri == uri, Concept.kind == ConceptKind.OCCUPATION)
    if session.scalar(found) is None:
        raise ValidationError("No ESCO occupation with URI %(uri)s.", uri=uri)
    return uri


def _skills(
    session: Session, essential: Iterable[str], optional: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    essential, optional = tuple(dict.fromkeys(essential)), tuple(dict.fromkeys(optional))
    if not essential:
        raise ValidationError("Choose at least one essential skill.")
    if both := set(essential) & set(optional):
        raise ValidationError("A skill is either essential or optional, not both: %(uri)s.",
                              uri=sorted(both)[0])  # fmt: skip
    if len(essential) + len(optional) > MAX_SKILLS:
        raise ValidationError("Choose at most %(max)d skills.", max=MAX_SKILLS)
    uris = essential + optional
    known = set(
        session.scalars(
            select(Concept.uri).where(Concept.uri.in_(uris), Concept.kind == ConceptKind.SKILL)
        )
    )
    for uri in uris:
        if uri not in known:
            raise ValidationError("No ESCO skill with URI %(uri)s.", uri=uri)
    return essential, optional
