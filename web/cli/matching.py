"""`fairmatch match ...`: offline ranking on files, same model as the app."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

import click

from matcher.errors import ValidationError
from matcher.matching.esco_data import (
    load_isco_groups,
    load_occupation_skills,
    load_related_skills,
)
from matcher.matching.offline import fit_offline_ranker, rank_offline, read_profiles, read_vacancies
from matcher.progress import Progress
from web.cli import main
from web.cli.common import command_session, fail

T = TypeVar("T")
# Below this many profiles a progress bar is noise.
PROGRESS_FROM = 200


@main.group("match")
def match() -> None:
    """Rank vacancies for profiles, and train the second-stage model."""


@match.command("rank")
@click.option("--profiles", "profiles_file", type=click.File("r", encoding="utf-8"), required=True)
@click.option(
    "--vacancies", "vacancies_file", type=click.File("r", encoding="utf-8"), required=True
)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
def rank(profiles_file: IO[str], vacancies_file: IO[str], output: Path, top: int) -> None:
    """Rank each profile's best vacancies: JSONL {"id","skills"} × {"id","occupation",...}."""
    if not output.parent.is_dir():
        fail(f"no folder {output.parent} for the output")
    profiles = _read(read_profiles, profiles_file)
    vacancies = _read(read_vacancies, vacancies_file)
    with command_session() as session:
        occupation_skills = load_occupation_skills(session)
        if not occupation_skills:
            fail("no ESCO data loaded: run `fairmatch esco import` first")
        related = load_related_skills(session)
        isco_groups = load_isco_groups(session)
    ranker = fit_offline_ranker(vacancies, related, occupation_skills, isco_groups)
    progress = Progress("ranking", len(profiles)) if len(profiles) >= PROGRESS_FROM else None
    # A temporary file in the same folder, renamed at the end: a failed run leaves no half file.
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            lines = rank_offline(
                ranker, profiles, vacancies, top=top, advance=progress.advance if progress else None
            )
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(temporary, output)
    except BaseException:
        os.unlink(temporary)
        raise
    if progress:
        progress.finish()
    click.echo(f"ranked {len(profiles)} profiles against {len(vacancies)} vacancies: {output}")


def _read(reader: Callable[[IO[str]], list[T]], stream: IO[str]) -> list[T]:
    """Every line of one input, checked before anything is ranked or written."""
    try:
        return reader(stream)
    except ValidationError as exc:
        fail(f"{stream.name}: {exc}")
