"""Benchmarks: `make bench` (python -m bench) prints one table of figures.

Each module in BENCHES has ``figures() -> list[Figure]``; a module that cannot measure something
(PostgreSQL down, development sets missing) says so in the figure's note instead of failing.
"""

from __future__ import annotations

from typing import NamedTuple


class Figure(NamedTuple):
    name: str
    value: str
    target: str = ""
    note: str = ""
