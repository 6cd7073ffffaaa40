"""Rules for what a client record may hold: each field checked before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from babel.core import Locale, get_global
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import N_, ValidationError
from matcher.profiles.models import NAME_MAX, NOTES_MAX, Cefr, Shift
from matcher.skills.models import Concept, ConceptKind
from matcher.skills.search import available_languages

REGION_MAX = 100
SECTOR_MAX = 100
EARLIEST_YEAR, LATEST_YEAR = 1950, 2100
CLIENT_FIELDS = frozenset(
    {
        "first_name",
        "profile_language",
        "region",
        "max_travel_minutes",
        "hours_per_week",
        "earliest_start",
        "shifts_not_possible",
        "work_allowed_from",
        "permit_ends_on",
        "housing_independent",
        "notes",
    }
)


def language_code(code: str) -> str:
    """An ISO 639 code as stored: lower case, ISO 639-1 where one exists, else ISO 639-3."""
    code = (code or "").strip().lower()
    if not code:
        raise ValidationError("Choose a language.")
    alias = get_global("language_aliases").get(code)
    if alias and re.fullmatch(r"[a-z]{2,3}", alias):
        code = alias
    known = code in Locale("en").languages
    if not (known or re.fullmatch(r"[a-z]{3}", code)):
        raise ValidationError("%(code)s is not a language code (ISO 639).", code=code)
    return code


def validated_fields(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """The client fields given, checked and cleaned; refuses the lot if one is wrong."""
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise TypeError(f"not a client field: {', '.join(sorted(unknown))}")
    checks: dict[str, Callable[[Any], Any]] = {
        "first_name": _first_name,
        "profile_language": lambda v: _profile_language(session, v),
        "region": lambda v: _text(v, REGION_MAX, N_("The region")),
        "max_travel_minutes": lambda v: _number(v, 0, 600, N_("The travel time in minutes")),
        "hours_per_week": lambda v: _number(v, 1, 60, N_("The hours per week")),
        "earliest_start": lambda v: _date(v, N_("The earliest start")),
        "shifts_not_possible": _shifts,
        "work_allowed_from": lambda v: _date(v, N_("The date work is allowed from")),
        "permit_ends_on": lambda v: _date(v, N_("The date the permit ends")),
        "housing_independent": bool,
        "notes": lambda v: _text(v, NOTES_MAX, N_("The notes"), one_line=False),
    }
    values = {name: checks[name](value) for name, value in fields.items()}
    allowed, ends = values.get("work_allowed_from"), values.get("permit_ends_on")
    if allowed and ends and ends < allowed:
        raise ValidationError("The permit cannot end before the date work is allowed from.")
    return values


def _first_name(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > NAME_MAX:
        raise ValidationError("Use at most %(max)d characters for the first name or initials.",
                              max=NAME_MAX)  # fmt: skip
    if any(ch.isdigit() or not ch.isprintable() for ch in value):
        raise ValidationError("Write the first name or initials without digits.")
    return value or None


def _profile_language(session: Session, value: str) -> str:
    languages = set(available_languages(session)) | {"en"}  # English labels always exist
    if value not in languages:
        raise ValidationError("Choose a profile language that ESCO has labels in: %(languages)s.",
                              languages=", ".join(sorted(languages)))  # fmt: skip
    return value


def _text(value: str | None, maximum: int, what: str, one_line: bool = True) -> str:
    value = (value or "").strip()
    if one_line:
        value = " ".join(value.split())
    if len(value) > maximum:
        raise ValidationError("%(what)s may be at most %(max)d characters long.",
                              what=what, max=maximum)  # fmt: skip
    return value


def _number(value: int | None, low: int, high: int, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError("%(what)s must be a whole number from %(low)d to %(high)d.",
                              what=what, low=low, high=high)  # fmt: skip
    return value


def _date(value: date | None, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError("%(what)s must be a date.", what=what)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError("%(what)s must lie between %(first)d and %(last)d.",
                              what=what, first=EARLIEST_YEAR, last=LATEST_YEAR)  # fmt: skip
    return value


def _shifts(values: Iterable[str] | None) -> list[str]:
    chosen = set()
    for value in values or ():
        try:
            chosen.add(Shift(value))
        except ValueError:
            raise ValidationError("%(shift)s is not a shift.", shift=str(value)) from None
    return [shift.value for shift in Shift if shift in chosen]


def cefr_level(level: Cefr | str) -> Cefr:
    """A CEFR level, or a clear refusal."""
    try:
        return Cefr(level)
    except ValueError:
        raise ValidationError("%(level)s is not a CEFR level.", level=str(level)) from None


def occupation_uris(session: Session, uris: Iterable[str]) -> list[str]:
    """The URIs, each once, when every one is an ESCO occupation."""
    wanted = list(dict.fromkeys(uri.strip() for uri in uris if uri and uri.strip()))
    found = set(
        session.scalars(
            select(Concept.uri).where(
                Concept.uri.in_(wanted), Concept.kind == ConceptKind.OCCUPATION
            )
        )
    )
    for uri in wanted:
        if uri not in found:
            raise ValidationError("No ESCO occupation %(uri)s.", uri=uri)
    return wanted


def sector_names(sectors: Iterable[str]) -> list[str]:
    """Sector names tidied, empty ones dropped, each once (whatever its capitals)."""
    names: dict[str, str] = {}
    for sector in sectors:
        name = " ".join((sector or "").split())
        if len(name) > SECTOR_MAX:
            raise ValidationError("A sector is at most %(max)d characters.", max=SECTOR_MAX)
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())
