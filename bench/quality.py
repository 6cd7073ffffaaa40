"""Mapping quality on the dev sets: top-1/top-5 per title set, RP@5 and MRR per sentence set.

The sets live outside the repository (../shared/data/eval-dev or EVAL_DEV_DIR) and are only read;
without them this bench says so. Same metrics as the shared scorer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench import Figure
from bench.search import full_index
from matcher.config import project_root
from matcher.skills.extract import extractor_for
from matcher.skills.search import MAP_DESCRIPTIONS, MAP_OTHER_LANGUAGES, hits_from_index

TITLE_TARGETS = {"jobbert": "top-5 ≥ 0.60", "melo": "top-5 ≥ 0.85"}
SENTENCE_TARGET = "RP@5 ≥ 0.55"


def dev_dir() -> Path | None:
    """Where the development sets are, if anywhere."""
    candidates = [
        os.environ.get("EVAL_DEV_DIR", ""),
        project_root().parent / "shared" / "data" / "eval-dev",
        "/work/shared/data/eval-dev",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _titles(path: Path) -> Figure:
    index, _, _ = full_index()
    gold = _load(path)
    top1 = top5 = 0
    for item in gold:
        hits = hits_from_index(
            index,
            item["q"],
            kind="occupation",
            lang=item.get("lang"),
            limit=5,
            other_languages=MAP_OTHER_LANGUAGES,  # as `fairmatch esco map` does
            descriptions=MAP_DESCRIPTIONS,
        )
        got = [h.uri for h in hits]
        expected = set(item["expect"]) if isinstance(item["expect"], list) else {item["expect"]}
        top1 += bool(set(got[:1]) & expected)
        top5 += bool(set(got) & expected)
    n = len(gold)
    target = next((t for key, t in TITLE_TARGETS.items() if key in path.name), "")
    return Figure(
        f"titles {path.stem}: top-1 / top-5", f"{top1 / n:.3f} / {top5 / n:.3f}", target, f"n={n}"
    )


def _sentences(path: Path) -> Figure:
    index, _, _ = full_index()
    gold = _load(path)
    rp = mrr = 0.0
    for item in gold:
        got = [s.uri for s in extractor_for(index, item.get("lang")).extract(item["text"], 10)]
        expected = set(item["expect"])
        rp += len(set(got[:5]) & expected) / min(5, len(expected))
        mrr += next((1 / (i + 1) for i, uri in enumerate(got) if uri in expected), 0.0)
    n = len(gold)
    return Figure(
        f"sentences {path.stem}: RP@5 / MRR",
        f"{rp / n:.3f} / {mrr / n:.3f}",
        SENTENCE_TARGET,
        f"n={n}",
    )


def figures() -> list[Figure]:
    directory = dev_dir()
    if directory is None:
        return [Figure("mapping quality", "-", "", "dev sets not present")]
    rows = [_titles(p) for p in sorted(directory.glob("titles_*.jsonl"))]
    rows += [_sentences(p) for p in sorted(directory.glob("extract_*.jsonl"))]
    return rows
