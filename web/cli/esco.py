"""`fairmatch esco ...`: import, search, map, extract."""

from __future__ import annotations

from web.cli import main


@main.group()
def esco() -> None:
    """The ESCO knowledge base: import the CSV packages, search, map titles, extract skills."""
