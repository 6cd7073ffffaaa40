"""The dashboard's figures as tables: the same rows on the page, next to each chart, and in CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from matcher.dashboard.results import Dashboard
from web.names import name_of


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's address: /dashboard/<name>.csv
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def dashboard_tables(board: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard by name, in the order the page shows them."""
    tables = (
        _summary(board),
        Table("new-clients", gettext("New clients per month"),
              (gettext("Month"), gettext("New clients")),
              [(m.month, m.count) for m in board.clients.new_per_month]),
        Table("proposals", gettext("Proposals made per month"),
              (gettext("Month"), gettext("Proposals made")),
              [(m.month, m.count) for m in board.proposals.made_per_month]),
        Table("reject-reasons", gettext("Rejected proposals by reason"),
              (gettext("Reason"), gettext("Rejected proposals")),
              [(name_of(reason), count) for reason, count in board.proposals.rejected_by_reason]),
        _follow_up(board),
        Table("employers", gettext("Employers by vetting state, now"),
              (gettext("Vetting state"), gettext("Employers")),
              [(name_of(status), count) for status, count in board.employers_by_status]),
        Table("partners", gettext("Partner organisations active in the period"),
              (gettext("Organisation"), gettext("New clients"), gettext("Active clients")),
              [(p.name, p.new_clients, p.active_clients) for p in board.partners]),
    )  # fmt: skip
    return {table.name: table for table in tables}


def _summary(board: Dashboard) -> Table:
    clients, proposals, placements, signals = (
        board.clients, board.proposals, board.placements, board.signals,
    )  # fmt: skip
    rows = [
        (gettext("New clients"), clients.new),
        (gettext("Active clients"), clients.active),
        (gettext("Partner organisations active"), len(board.partners)),
        (gettext("Proposals made"), proposals.made),
        (gettext("Proposals approved"), proposals.approved),
        (gettext("Proposals rejected"), proposals.rejected),
        (gettext("Introductions to employers"), placements.introductions),
        (gettext("Interviews"), placements.interviews),
        (gettext("Hires"), placements.hires),
        (gettext("Still working after 3 months"), placements.after_3_months.working),
        (gettext("Still working after 6 months"), placements.after_6_months.working),
        (gettext("Median days from first profile to hire"), placements.median_days_to_hire),
        (gettext("Signals received"), signals.received),
        (gettext("Signals closed"), signals.closed),
        (gettext("Median days to feedback on a signal"), signals.median_days_to_feedback),
    ]
    return Table("summary", gettext("Figures for the period"),
                 (gettext("Figure"), gettext("Number")), rows)  # fmt: skip


def _follow_up(board: Dashboard) -> Table:
    rows = [
        (gettext("After %(months)s months", months=months), f.working, f.not_working, f.unknown)
        for months, f in (
            (3, board.placements.after_3_months),
            (6, board.placements.after_6_months),
        )
    ]
    headers = (gettext("Hires of the period"), gettext("Still working"),
               gettext("No longer working"), gettext("Not yet recorded"))  # fmt: skip
    return Table("follow-up", gettext("Hires still working"), headers, rows)


def to_csv(table: Table) -> str:
    """The table as CSV text: a header row, then one line per row; an unknown figure is empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(tuple("" if value is None else value for value in row) for row in table.rows)
    return out.getvalue()
