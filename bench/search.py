"""ESCO label search and extraction speed on the full bundled data, all languages loaded.

The database: BENCH_DATABASE_URL when it already holds an import, else a temporary SQLite
database the bundled packages are imported into once per run (shared with bench.quality).
Queries are made from ESCO's own labels with typos, truncation, dropped accents and shuffled
words, in every loaded language; extraction sentences are the first sentences of ESCO skill
descriptions.
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
import unicodedata
from functools import cache

from bench import Figure
from matcher.config import project_root
from matcher.db import make_engine, make_session_factory, session_scope
from matcher.migrate import upgrade_database
from matcher.skills.extract import extractor_for
from matcher.skills.importer import import_esco
from matcher.skills.index import KINDS, LabelIndex
from matcher.skills.search import data_version, hits_from_index, load_index_data

QUERIES = 2_000
SENTENCES = 200


@cache
def bench_database_url() -> str:
    """A database holding the full bundled ESCO import."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    tmp = tempfile.mkdtemp(prefix="fairmatch-bench-")
    atexit.register(shutil.rmtree, tmp, True)
    url = f"sqlite:///{tmp}/bench.db"
    engine = make_engine(url)
    upgrade_database(engine)
    with session_scope(make_session_factory(engine)) as session:
        import_esco(session, project_root() / "data" / "esco", io.StringIO())
    engine.dispose()
    return url


@cache
def full_index() -> tuple[LabelIndex, float, float]:
    """The index of the full data, seconds to load its rows and seconds to build it."""
    engine = make_engine(bench_database_url())
    with session_scope(make_session_factory(engine)) as session:
        if not data_version(session):
            raise RuntimeError("the bench database holds no ESCO import")
        started = time.perf_counter()
        data = load_index_data(session)
        loaded = time.perf_counter() - started
    engine.dispose()
    gc.collect()
    started = time.perf_counter()
    index = LabelIndex(data)
    return index, loaded, time.perf_counter() - started


def _corrupt(text: str, rng: random.Random) -> tuple[str, str]:
    words = text.split()
    how = rng.choice(["typo", "truncate", "accents", "shuffle"])
    if how == "typo" and len(text) > 4:
        i = rng.randrange(1, len(text) - 1)
        op = rng.choice(["drop", "swap", "replace"])
        if op == "drop":
            text = text[:i] + text[i + 1 :]
        elif op == "swap":
            text = text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
        else:
            text = text[:i] + rng.choice("aeiounrst") + text[i + 1 :]
    elif how == "truncate" and len(text) > 5:
        text = text[: max(4, int(len(text) * rng.uniform(0.5, 0.8)))]
    elif how == "accents":
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    elif how == "shuffle" and len(words) > 1:
        rng.shuffle(words)
        text = " ".join(words)
    return text, how


def corrupted_queries(index: LabelIndex, n: int = QUERIES, seed: int = 7) -> list[tuple]:
    """(query, kind, lang filter or None, expected concept) made from random labels."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        kind = rng.choice(KINDS)
        table = index.tables[kind]
        row = rng.randrange(table.size)
        lang = table.lang(row)
        query, _ = _corrupt(table.text(row), rng)
        out.append((query, kind, lang if rng.random() < 0.5 else None, int(table.concept[row])))
    return out


def _index_megabytes() -> float:
    engine = make_engine(bench_database_url())
    with session_scope(make_session_factory(engine)) as session:
        data = load_index_data(session)
    engine.dispose()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    other = LabelIndex(data)
    extractor_for(other, "en")
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del other, data
    return used / 1e6


def figures() -> list[Figure]:
    index, loaded, built = full_index()
    queries = corrupted_queries(index)
    timings, found = [], 0
    for query, kind, lang, expected in queries:
        started = time.perf_counter()
        hits = hits_from_index(index, query, kind=kind, lang=lang, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
        found += any(index.concepts[expected].uri == h.uri for h in hits[:5])
    cuts = statistics.quantiles(timings, n=100)
    skills = [c for c in index.concepts if c.kind == "skill" and c.description]
    sentences = [c.description.split(". ")[0] for c in random.Random(3).sample(skills, SENTENCES)]
    started = time.perf_counter()
    extractor = extractor_for(index, "en")
    warm = time.perf_counter() - started
    started = time.perf_counter()
    for sentence in sentences:
        extractor.extract(sentence, 10)
    per_sentence = (time.perf_counter() - started) * 1000 / len(sentences)
    labels = sum(t.size for t in index.tables.values())
    return [
        Figure("esco index: load rows", f"{loaded:.1f} s", "", f"{labels:,} label rows"),
        Figure("esco index: build", f"{built:.1f} s", "≤ 10 s", f"{len(index.languages)} langs"),
        Figure("esco index: memory", f"{_index_megabytes():.0f} MB", "≤ 300 MB", "tracemalloc"),
        Figure("esco search: p50", f"{cuts[49]:.1f} ms", "", f"{len(queries):,} queries"),
        Figure("esco search: p95", f"{cuts[94]:.1f} ms", "≤ 10 ms", "typos, cuts, shuffles"),
        Figure("esco search: corrupted label in top 5", f"{found / len(queries):.2f}", "", ""),
        Figure("esco extract: per sentence", f"{per_sentence:.0f} ms", "", f"warm-up {warm:.1f} s"),
    ]
