"""`fairmatch match ...`: offline ranking on files, same model as the app."""

from __future__ import annotations

from web.cli import main


@main.group("match")
def match() -> None:
    """Rank vacancies for profiles, and train the second-stage model."""
