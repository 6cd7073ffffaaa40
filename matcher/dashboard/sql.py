"""SQL expressions whose spelling differs between SQLite and PostgreSQL, for the dashboard.

SQLite keeps UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text (matcher.db.UTCDateTime) and
dates as 'YYYY-MM-DD'; PostgreSQL has real timestamps with a time zone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine


class _Spelled(FunctionElement):
    """A function spelled per dialect from SPELLING: {dialect: template with {0}, {1}}."""

    inherit_cache = True
    SPELLING: dict[str, str] = {}


class month_of(_Spelled):
    """The UTC month of a timestamp as 'YYYY-MM', so rows can be grouped by month in SQL."""

    type: TypeEngine = String()
    name = "month_of"
    inherit_cache = True
    SPELLING = {
        "sqlite": "substr({0}, 1, 7)",
        "postgresql": "to_char(({0}) AT TIME ZONE 'UTC', 'YYYY-MM')",
    }


class date_of(_Spelled):
    """The UTC calendar day of a timestamp."""

    type: TypeEngine = Date()
    name = "date_of"
    inherit_cache = True
    SPELLING = {"sqlite": "date({0})", "postgresql": "CAST(({0}) AT TIME ZONE 'UTC' AS DATE)"}


class days_between_dates(_Spelled):
    """Whole days from the second date to the first."""

    type: TypeEngine = Float()
    name = "days_between_dates"
    inherit_cache = True
    SPELLING = {
        "sqlite": "(julianday({0}) - julianday({1}))",
        "postgresql": "CAST(({0}) - ({1}) AS FLOAT)",
    }


class days_between_times(_Spelled):
    """Days, with fractions, from the second timestamp to the first."""

    type: TypeEngine = Float()
    name = "days_between_times"
    inherit_cache = True
    SPELLING = {
        "sqlite": "(julianday({0}) - julianday({1}))",
        "postgresql": "(EXTRACT(EPOCH FROM ({0}) - ({1})) / 86400.0)",
    }


def _spell(element: _Spelled, compiler: Any, **kw: Any) -> str:
    template = element.SPELLING.get(compiler.dialect.name)
    if template is None:
        raise NotImplementedError(f"{element.name} has no spelling for {compiler.dialect.name}")
    return template.format(*(compiler.process(arg, **kw) for arg in element.clauses))


for _function in (month_of, date_of, days_between_dates, days_between_times):
    compiles(_function)(_spell)
