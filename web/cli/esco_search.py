"""`fairmatch esco search|map|extract`: look up, batch-map and extract ESCO concepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import IO, Any

import click

from matcher.progress import Progress
from matcher.skills.extract import extract_skills
from matcher.skills.search import (
    MAP_DESCRIPTIONS,
    MAP_OTHER_LANGUAGES,
    available_languages,
    search_concepts,
)
from web.cli.common import command_session, fail
from web.cli.esco import esco

KIND = click.Choice(["skill", "occupation"])
# Below this many lines a progress bar is noise.
PROGRESS_FROM = 200


def _check_loaded(session, lang: str | None = None) -> None:
    loaded = available_languages(session)
    if not loaded:
        fail("no ESCO data loaded: run `fairmatch esco import` first")
    if lang and lang not in loaded:
        fail(f"no labels in language {lang!r}; loaded: {', '.join(loaded)}")


def _read_jsonl(stream: IO[str], required: str) -> list[tuple[int, dict[str, Any]]]:
    """All input lines, checked up front so a bad line fails before any output is written."""
    items = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"line {number}: not valid JSON ({exc.msg})")
        if not isinstance(item, dict):
            fail(f"line {number}: expected a JSON object")
        if not isinstance(item.get(required), str):
            fail(f'line {number}: missing "{required}" (a string)')
        if item.get("kind") not in (None, "skill", "occupation"):
            fail(f'line {number}: "kind" must be "skill" or "occupation"')
        items.append((number, item))
    return items


def _progress(label: str, items: list) -> Iterator:
    progress = Progress(label, len(items)) if len(items) >= PROGRESS_FROM else None
    for item in items:
        yield item
        if progress:
            progress.advance()
    if progress:
        progress.finish()


@esco.command("search")
@click.argument("query")
@click.option("--kind", type=KIND, default=None, help="Only skills or only occupations.")
@click.option("--lang", default=None, help="Match and show labels of this language only.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def search(query: str, kind: str | None, lang: str | None, limit: int, as_json: bool) -> None:
    """Search ESCO skills and occupations by label, forgiving typos and unfinished words."""
    with command_session() as session:
        _check_loaded(session, lang)
        hits = search_concepts(session, query, kind=kind, lang=lang, limit=limit)
    if as_json:
        click.echo(json.dumps([asdict(hit) for hit in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo("no matches")
        return
    width = max(len(h.label) for h in hits)
    for hit in hits:
        matched = f"  ({hit.matched_lang}: {hit.matched_label})" if hit.matched_label else ""
        click.echo(f"{hit.score:5.2f}  {hit.kind:<10}  {hit.label:<{width}}  {hit.uri}{matched}")


@esco.command("map")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), required=True)
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), required=True)
@click.option("--kind", type=KIND, default=None, help="Default kind; a line's own kind wins.")
@click.option(
    "--lang",
    default=None,
    help="Default language of the queries (its labels count most); a line's own lang wins.",
)
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True)
def map_(input_file: IO[str], output_file: IO[str], kind, lang, top: int) -> None:
    """Map each JSONL line {"id","q"[,"lang","kind"]} to its best ESCO candidates."""
    items = _read_jsonl(input_file, "q")
    with command_session() as session:
        _check_loaded(session)
        for _, item in _progress("mapping", items):
            hits = search_concepts(
                session,
                item["q"],
                kind=item.get("kind") or kind,
                lang=item.get("lang") or lang,
                limit=top,
                other_languages=MAP_OTHER_LANGUAGES,
                descriptions=MAP_DESCRIPTIONS,
            )
            candidates = [
                {"uri": h.uri, "label": h.label, "lang": h.lang, "score": h.score} for h in hits
            ]
            out = {"id": item.get("id"), "q": item["q"], "candidates": candidates}
            output_file.write(json.dumps(out, ensure_ascii=False) + "\n")


@esco.command("extract")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), required=True)
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), required=True)
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
def extract(input_file: IO[str], output_file: IO[str], top: int) -> None:
    """Extract ESCO skills from each JSONL line {"id","text"[,"lang"]}, best first."""
    items = _read_jsonl(input_file, "text")
    with command_session() as session:
        _check_loaded(session)
        for _, item in _progress("extracting", items):
            skills = extract_skills(session, item["text"], lang=item.get("lang"), top=top)
            out = {
                "id": item.get("id"),
                "skills": [{"uri": s.uri, "label": s.label, "score": s.score} for s in skills],
            }
            output_file.write(json.dumps(out, ensure_ascii=False) + "\n")
