"""`fairmatch match train`: the second-stage model learned from mediators' decisions."""

from __future__ import annotations

import click

from matcher.errors import ValidationError
from matcher.matching.learning import TrainingReport, train_reranker
from web.cli.common import command_session, fail
from web.cli.matching import match


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def report_lines(report: TrainingReport) -> list[str]:
    """The training report as a person reads it on a terminal."""
    state = "activated" if report.activated else "stored inactive; the first stage stays"
    return [
        f"model: {report.version} ({state})",
        f"decisions: {report.n_decisions} ({report.n_approved} approved), "
        f"trained on the oldest {report.n_train}, held out the newest {report.n_heldout}",
        f"features: {', '.join(report.features) or '-'}",
        f"held-out ROC AUC: first stage {_figure(report.auc_first_stage)}, "
        f"second stage {_figure(report.auc_second_stage)} (score: {report.blend})",
        f"held-out approvals in the top half: first stage "
        f"{_figure(report.precision_first_stage)}, "
        f"second stage {_figure(report.precision_second_stage)}",
        f"why: {report.reason}",
    ]


@match.command("train")
@click.option(
    "--min-decisions",
    type=click.IntRange(min=2),
    default=50,
    show_default=True,
    help="Refuse to train with fewer mediators' decisions than this.",
)
def train_command(min_decisions: int) -> None:
    """Train the re-ranking model on mediators' decisions; activate it only if it does better."""
    with command_session() as session:
        try:
            report = train_reranker(session, min_decisions=min_decisions)
        except ValidationError as exc:
            fail(str(exc))
    for line in report_lines(report):
        click.echo(line)
