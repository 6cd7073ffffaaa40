"""The data the fair-work rules read: dated minimum wages, the housing-deduction cap, phrases.

Loaded from data/rules/ with strict validation, so a malformed file fails loudly at start.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matcher.config import project_root
from matcher.errors import ValidationError

_CODE = re.compile(r"V[0-9]{1,2}")


class RulesError(ValidationError):
    """A rules data file is malformed; the message names the place and the problem."""


# --- The minimum-wage table -------------------------------------------------------------------


@dataclass(frozen=True)
class DatedValue:
    """One row of a dated table: in force from valid_from until the next row."""

    valid_from: date
    value: Decimal
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CountryWages:
    country: str
    statutory_minimum: bool
    hourly_minimum: tuple[DatedValue, ...]  # gross, for the age in min_age and over
    housing_deduction_cap: tuple[DatedValue, ...]  # share of the applicable minimum wage
    min_age: int | None
    sources: tuple[str, ...]
    # The last day the rows are known to cover; later, the next indexation may have raised the
    # minimum, so a wage that only meets the last known figure goes to a mediator.
    known_until: date | None = None


@dataclass(frozen=True)
class WageTable:
    version: str
    countries: Mapping[str, CountryWages]


def default_rules_path() -> Path:
    """The folder holding the bundled rules data."""
    return project_root() / "data" / "rules"


def load_wage_table(path: str | Path | None = None) -> WageTable:
    """Load and strictly validate the minimum-wage table (the bundled one by default)."""
    raw = _read_json(Path(path) if path else default_rules_path() / "minimum-wages.json")
    if not isinstance(raw, dict):
        raise RulesError("%(where)s: the file must hold a JSON object", where="wage table")
    version = _require(raw, "version", str, "wage table")
    countries_raw = _require(raw, "countries", dict, "wage table")
    if not countries_raw:
        raise RulesError("%(where)s: no countries", where="wage table")
    countries = {code: _parse_country(code, entry) for code, entry in countries_raw.items()}
    return WageTable(version=version, countries=MappingProxyType(countries))


def _parse_country(code: str, raw: Any) -> CountryWages:
    where = f"country {code}"
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise RulesError("%(where)s: not an ISO 3166 country code", where=where)
    statutory = _require(raw, "statutory_minimum", bool, where)
    hourly = _dated_rows(raw.get("hourly_minimum"), "gross_per_hour", f"{where} hourly_minimum")
    caps = _dated_rows(
        raw.get("housing_deduction_cap"), "share_of_minimum_wage", f"{where} housing cap"
    )
    if any(row.value > 1 for row in caps):
        raise RulesError("%(where)s: a share must not exceed 1", where=f"{where} housing cap")
    if statutory and not hourly:
        raise RulesError("%(where)s: a statutory minimum needs its rows", where=where)
    if not statutory and (hourly or caps):
        raise RulesError("%(where)s: rows given without a statutory minimum", where=where)
    sources = tuple(raw.get("sources") or ())
    if not statutory:
        _check_sources(sources, where)
    min_age = raw.get("min_age")
    if statutory and (not isinstance(min_age, int) or isinstance(min_age, bool) or min_age < 0):
        raise RulesError("%(where)s: min_age must be a whole number", where=where)
    known_until = None
    if raw.get("known_until") is not None:
        known_until = _date(_require(raw, "known_until", str, where), f"{where} known_until")
        if not hourly or known_until < hourly[-1].valid_from:
            raise RulesError("%(where)s: known_until is before the last row", where=where)
    age = min_age if statutory else None
    return CountryWages(code, statutory, hourly, caps, age, sources, known_until)


def _dated_rows(raw: Any, value_key: str, where: str) -> tuple[DatedValue, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RulesError("%(where)s: expected a list of rows", where=where)
    rows: list[DatedValue] = []
    for entry in raw:
        valid_from = _date(_require(entry, "valid_from", str, where), where)
        row_where = f"{where} row {valid_from.isoformat()}"
        value = _decimal(_require(entry, value_key, str, row_where), row_where)
        sources = tuple(_require(entry, "sources", list, row_where))
        _check_sources(sources, row_where)
        if rows and valid_from <= rows[-1].valid_from:
            raise RulesError("%(where)s: valid_from dates must ascend", where=row_where)
        rows.append(DatedValue(valid_from, value, sources))
    return tuple(rows)


def _in_force(rows: Iterable[DatedValue], on: date) -> DatedValue | None:
    current = None
    for row in rows:  # rows ascend, validated on load
        if row.valid_from <= on:
            current = row
    return current


def minimum_row(table: WageTable, country: str, on: date) -> DatedValue | None:
    rules = table.countries.get(country)
    return _in_force(rules.hourly_minimum, on) if rules else None


def minimum_hourly_wage(table: WageTable, country: str, on: date) -> Decimal | None:
    """The gross statutory minimum hourly wage in force on that date (None: none known)."""
    row = minimum_row(table, country, on)
    return row.value if row else None


def housing_deduction_cap(table: WageTable, country: str, on: date) -> Decimal | None:
    """The largest share of the minimum wage housing may take from pay on that date."""
    rules = table.countries.get(country)
    row = _in_force(rules.housing_deduction_cap, on) if rules else None
    return row.value if row else None


# --- Risky phrases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    code: str
    language: str
    phrase: str
    pattern: re.Pattern[str] = field(compare=False, repr=False)


def load_phrases(path: str | Path | None = None) -> tuple[Phrase, ...]:
    """Load and strictly validate the list of risky vacancy phrases (the bundled one by default)."""
    raw = _read_json(Path(path) if path else default_rules_path() / "vacancy-phrases.json")
    entries = _require(raw, "phrases", list, "phrase list")
    phrases: list[Phrase] = []
    for entry in entries:
        text = _require(entry, "phrase", str, "phrase list").strip()
        where = f"phrase {text!r}"
        code = _require(entry, "code", str, where)
        language = _require(entry, "language", str, where)
        if not text or not _CODE.fullmatch(code) or language not in ("en", "nl"):
            raise RulesError("%(where)s: needs text, a code V1..V16 and en or nl", where=where)
        if any(p.phrase.casefold() == text.casefold() for p in phrases):
            raise RulesError("%(where)s: listed twice", where=where)
        phrases.append(Phrase(code, language, text, _phrase_pattern(text)))
    if not phrases:
        raise RulesError("%(where)s: no phrases", where="phrase list")
    return tuple(phrases)


def _phrase_pattern(text: str) -> re.Pattern[str]:
    # Whole words only ("contant" must not fire inside "contante"), any run of spaces between.
    words = r"\s+".join(re.escape(word) for word in text.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


@functools.cache
def bundled_phrases() -> tuple[Phrase, ...]:
    """The bundled phrase list, read once per process."""
    return load_phrases()


# --- Strict JSON reading ----------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError("rules file not found: %(path)s", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise RulesError(
            "%(path)s: not valid JSON (%(error)s)", path=path.name, error=str(exc)
        ) from None


def _require(raw: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(raw, dict):
        raise RulesError("%(where)s: expected a JSON object", where=where)
    value = raw.get(key)
    if value is None:
        raise RulesError("%(where)s: missing %(key)s", where=where, key=key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RulesError("%(where)s: %(key)s has the wrong type", where=where, key=key)
    return value


def _check_sources(sources: tuple[Any, ...], where: str) -> None:
    if not sources or not all(isinstance(s, str) and s.startswith("https://") for s in sources):
        raise RulesError("%(where)s: needs at least one https:// source", where=where)


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RulesError(
            "%(where)s: not an ISO date: %(value)s", where=where, value=value
        ) from None


def _decimal(value: str, where: str) -> Decimal:
    # Amounts are strings in the file so that 14.71 stays exactly 14.71.
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise RulesError("%(where)s: not a number: %(value)s", where=where, value=value) from None
    if not amount.is_finite() or amount <= 0:
        raise RulesError("%(where)s: must be a positive amount", where=where)
    return amount
