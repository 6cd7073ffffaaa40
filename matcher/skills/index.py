"""In-memory multilingual ESCO label index: char trigram and word-prefix TF-IDF, fuzzy rescoring.

Built from plain data (``IndexData``), so tests and benchmarks can build one without a database.
Each label is a sparse vector of character trigrams (typos, missing accents, word order) plus,
at a lower weight, the prefixes of its words (unfinished words, plural forms), and, for the
languages `morph` has rules for, the folded stems of its words (plural and gender forms).
Only postings are stored (feature → label rows, presence) plus each label's norms, so a query
touches the postings of its own features only. Labels of one kind are sorted by language: a
language filter is a slice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.skills.morph import FOLD_LANGS, stem_features
from matcher.skills.text import (
    char_ngrams,
    content_words,
    label_variants,
    normalize,
    word_prefixes,
)

KINDS = ("skill", "occupation")
# Concepts found by their description alone that join the label candidates.
DESCRIPTION_CANDIDATES = 20
# Weight of the folded-stem channel (plural and gender forms), added to trigrams and prefixes.
STEM_WEIGHT = 0.3
# Share of the rapidfuzz ratio in a candidate's final score (the rest: the TF-IDF score), and
# the bonus per further matching label of the concept (up to three). Chosen by measurement:
# with 0.1 instead of 0.3, top-5 rises or stays on every title set (up to +0.7 points).
FUZZY = 0.1
MULTI = 0.02


def _english_words(text: str) -> list[str]:
    return content_words(text, "en")


@dataclass(frozen=True)
class ConceptData:
    """One concept as the index needs it: English preferred label, description, ESCO usage."""

    uri: str
    kind: str
    label: str
    description: str = ""
    essential_count: int = 0  # how many occupations list this skill as essential


@dataclass
class IndexData:
    """Plain rows the index is built from; labels are (concept position, lang, kind, text)."""

    concepts: list[ConceptData]
    labels: list[tuple[int, str, str, str]]
    version: int = 0


@dataclass(frozen=True)
class RawHit:
    concept: int
    score: float
    label: int  # row of the best matching label in its kind's table


class _KindTable:
    """Labels of one kind, sorted by language, and their inverted index."""

    def __init__(self, rows: list[tuple[str, int, str, str, bool]], words: dict[str, int]):
        rows.sort(key=lambda r: r[0])
        self.size = len(rows)
        self.concept = np.fromiter((r[1] for r in rows), dtype=np.int32, count=len(rows))
        encoded = [r[2].encode() for r in rows]
        self._blob = b"".join(encoded)
        self._offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self._offsets[1:])
        self.lang_slices: dict[str, tuple[int, int]] = {}
        for i, r in enumerate(rows):
            start, _ = self.lang_slices.get(r[0], (i, i))
            self.lang_slices[r[0]] = (start, i + 1)
        self.preferred_rows = [(i, r[1], r[0]) for i, r in enumerate(rows) if r[4]]
        cols = [words[w] for r in rows for w in set(r[3].split())]
        lens = [len(set(r[3].split())) for r in rows]
        self.label_words = sp.csr_matrix(
            (np.ones(len(cols), np.float32), cols, np.concatenate([[0], np.cumsum(lens)])),
            shape=(len(rows), len(words)),
        )

    def finish(self, word_features: sp.csr_matrix, n_char: int, n_pref: int) -> None:
        """Turn label → words into feature → labels postings with IDF and per-label norms."""
        x = (self.label_words @ word_features).tocsr()
        del self.label_words
        x.data[:] = 1.0
        df = np.bincount(x.indices, minlength=x.shape[1])
        self.idf = (np.log((1 + self.size) / (1 + df)) + 1).astype(np.float32)
        sq = self.idf.astype(np.float64) ** 2
        col = np.arange(x.shape[1])
        channel = (col >= n_char).astype(np.int8) + (col >= n_char + n_pref)
        norms = [np.sqrt(x @ (sq * (channel == c))) for c in range(3)]
        with np.errstate(divide="ignore"):
            self.inv_norm_c, self.inv_norm_p, self.inv_norm_s = (
                np.where(n > 0, 1 / n, 0).astype(np.float32) for n in norms
            )
        postings = x.T.tocsr()
        postings.sort_indices()
        self.indptr = postings.indptr.astype(np.int64)
        self.indices = postings.indices.astype(np.int32)

    def text(self, row: int) -> str:
        return self._blob[self._offsets[row] : self._offsets[row + 1]].decode()

    def lang(self, row: int) -> str:
        return next(lang for lang, (a, b) in self.lang_slices.items() if a <= row < b)

    def accumulate(self, ids: np.ndarray, weights: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Sum of the weights of the query features each label row in [start, stop) has."""
        parts, reps = [], []
        for f in ids.tolist():
            seg = self.indices[self.indptr[f] : self.indptr[f + 1]]
            if start > 0 or stop < self.size:
                lo, hi = np.searchsorted(seg, (start, stop))
                seg = seg[lo:hi]
            parts.append(seg)
            reps.append(len(seg))
        if not parts or not sum(reps):
            return np.zeros(stop - start, dtype=np.float64)
        idx = np.concatenate(parts) - start
        return np.bincount(idx, np.repeat(weights, reps), minlength=stop - start)


class LabelIndex:
    """Fuzzy type-ahead search over every label of every loaded language."""

    def __init__(self, data: IndexData, *, prefix_weight: float = 0.5, candidates: int = 60):
        self.prefix_weight = prefix_weight
        self.candidates = candidates
        self.version = data.version
        self.concepts = data.concepts
        self.extras: dict[str, dict] = {}  # derived models (extractors) cached with the index
        rows: dict[str, list[tuple[str, int, str, str, bool]]] = defaultdict(list)
        seen: set[tuple[int, str, str]] = set()
        kinds = [c.kind for c in data.concepts]
        # Preferred labels first, so a preferred label wins over an equal alternative one.
        ordered = sorted(data.labels, key=lambda label: label[2] != "preferred")
        for ci, lang, kind, text in ordered:
            preferred = kind == "preferred"
            for i, variant in enumerate(label_variants(text) if "/" in text else (text,)):
                norm = normalize(variant)
                key = (ci, lang, norm)
                if norm and key not in seen:
                    seen.add(key)
                    rows[kinds[ci]].append((lang, ci, variant, norm, preferred and i == 0))
        del seen
        self.languages = sorted({lang for _, lang, _, _ in data.labels})
        words: dict[str, int] = {}
        word_langs: dict[str, set[str]] = defaultdict(set)  # of the languages with folding
        for kind_rows in rows.values():
            for r in kind_rows:
                folds = r[0] in FOLD_LANGS
                for w in r[3].split():
                    words.setdefault(w, len(words))
                    if folds:
                        word_langs[w].add(r[0])
        self.tables = {k: _KindTable(rows.pop(k), words) for k in KINDS if rows.get(k)}
        word_features = self._word_features(words, word_langs)
        del word_langs
        for table in self.tables.values():
            table.finish(word_features, len(self._char_keys), len(self._pref_keys))
        self._preferred: dict[str, np.ndarray] = {}
        for table in self.tables.values():
            by_lang: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for row, ci, lang in table.preferred_rows:
                by_lang[lang].append((ci, row))
            for lang, pairs in by_lang.items():
                if lang not in self._preferred:
                    self._preferred[lang] = np.full(len(self.concepts), -1, np.int32)
                concepts, label_rows = zip(*pairs, strict=True)
                self._preferred[lang][list(concepts)] = label_rows
            del table.preferred_rows

    def _word_features(
        self, words: dict[str, int], word_langs: dict[str, set[str]]
    ) -> sp.csr_matrix:
        """Word → feature matrix; features are identified by the hash of their text."""
        char_h, char_n, pref_h, pref_n, stem_h, stem_n = [], [], [], [], [], []
        no_langs: set[str] = set()
        for w in words:
            grams, prefixes = char_ngrams(w), word_prefixes(w)
            stems = stem_features(w, word_langs.get(w, no_langs))
            char_h.extend(map(hash, grams))
            char_n.append(len(grams))
            pref_h.extend(map(hash, prefixes))
            pref_n.append(len(prefixes))
            stem_h.extend(map(hash, stems))
            stem_n.append(len(stems))
        self._char_keys, char_ids = np.unique(np.array(char_h, np.int64), return_inverse=True)
        self._pref_keys, pref_ids = np.unique(np.array(pref_h, np.int64), return_inverse=True)
        self._stem_keys, stem_ids = np.unique(np.array(stem_h, np.int64), return_inverse=True)
        n_char, n_pref = len(self._char_keys), len(self._pref_keys)
        word_ids = np.arange(len(words))
        rows = np.concatenate(
            [np.repeat(word_ids, char_n), np.repeat(word_ids, pref_n), np.repeat(word_ids, stem_n)]
        )
        cols = np.concatenate([char_ids, pref_ids + n_char, stem_ids + n_char + n_pref])
        return sp.csr_matrix(
            (np.ones(len(cols), np.float32), (rows, cols)),
            shape=(len(words), n_char + n_pref + len(self._stem_keys)),
        )

    @staticmethod
    def _lookup(keys: np.ndarray, items: list[str]) -> tuple[np.ndarray, int]:
        """Ids of known features and the number of unknown ones."""
        if not items:
            return np.zeros(0, np.int64), 0
        hashes = np.array([hash(i) for i in dict.fromkeys(items)], np.int64)
        pos = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        known = keys[pos] == hashes
        return pos[known], int((~known).sum())

    def _query_features(
        self, text: str, table: _KindTable, lang: str | None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Char, prefix and stem feature ids of a query with weights idf² / query norm."""
        words = list(dict.fromkeys(normalize(text).split()))
        langs = (lang,) if lang else ()
        char_ids, unknown_c = self._lookup(
            self._char_keys, [g for w in words for g in char_ngrams(w)]
        )
        pref_ids, unknown_p = self._lookup(
            self._pref_keys, [p for w in words for p in word_prefixes(w)]
        )
        stem_ids, unknown_s = self._lookup(
            self._stem_keys, [f for w in words for f in stem_features(w, langs)]
        )
        n_char, n_pref = len(self._char_keys), len(self._pref_keys)
        top = float(table.idf.max()) ** 2
        out = []
        for ids, unknown in (
            (char_ids, unknown_c),
            (pref_ids + n_char, unknown_p),
            (stem_ids + n_char + n_pref, unknown_s),
        ):
            sq = table.idf[ids].astype(np.float64) ** 2
            norm = np.sqrt(sq.sum() + unknown * top) or 1.0
            out.append((ids, sq / norm))
        return out

    def label_scores(
        self, text: str, kind: str, lang: str | None = None, query_lang: str | None = None
    ) -> tuple[int, np.ndarray]:
        """Score 0..1 of the query against every label of a kind (or of one language).

        `query_lang` (default `lang`) is the language the query's words are folded in; the
        folded-stem channel adds to the score (not to the scale), so languages without rules
        score as before.
        """
        table = self.tables[kind]
        start, stop = (0, table.size) if lang is None else table.lang_slices.get(lang, (0, 0))
        if stop <= start:
            return start, np.zeros(0, dtype=np.float32)
        (c_ids, c_w), (p_ids, p_w), (m_ids, m_w) = self._query_features(
            text, table, query_lang or lang
        )
        scores = table.accumulate(c_ids, c_w, start, stop) * table.inv_norm_c[start:stop]
        pw, mw = self.prefix_weight, STEM_WEIGHT
        if len(p_ids):
            scores += pw * table.accumulate(p_ids, p_w, start, stop) * table.inv_norm_p[start:stop]
        if len(m_ids) and mw:
            scores += mw * table.accumulate(m_ids, m_w, start, stop) * table.inv_norm_s[start:stop]
        return start, scores / (1 + pw)

    def search(
        self,
        text: str,
        kind: str,
        lang: str | None = None,
        limit: int = 10,
        *,
        other_languages: float = 0.0,
        descriptions: float = 0.0,
    ) -> list[RawHit]:
        """Best distinct concepts of one kind for a query, best first.

        With `other_languages` > 0, labels of other languages than `lang` count too, their
        scores multiplied by it (cognates, shared technical words, untranslated labels).
        With `descriptions` > 0, English queries also match the concepts' descriptions by word,
        with that weight: words a title shares with what the job is, not what it is called.
        """
        if kind not in self.tables:
            return []
        table = self.tables[kind]
        start, scores = self._scores(text, kind, lang, other_languages)
        best = self._group(table, start, scores)
        described = None
        if descriptions > 0 and lang in (None, "en"):
            described = self._description_scores(text, kind)
            for ci in described[1]:
                best.setdefault(ci, (0.0, self._any_row(table, ci, lang), 1))
        query = normalize(text)
        hits = []
        for ci, (s, row, n) in best.items():
            label = normalize(table.text(row))
            fuzzy = max(fuzz.ratio(query, label), fuzz.token_sort_ratio(query, label)) / 100
            final = (1 - FUZZY) * s + FUZZY * fuzzy + MULTI * min(n - 1, 3)
            if described is not None:
                final = (final + descriptions * described[0][ci]) / (1 + descriptions)
            hits.append(RawHit(ci, min(final, 1.0), row))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _scores(
        self, text: str, kind: str, lang: str | None, other_languages: float
    ) -> tuple[int, np.ndarray]:
        table = self.tables[kind]
        if lang and other_languages > 0 and lang in table.lang_slices:
            start, scores = self.label_scores(text, kind, None, lang)
            a, b = table.lang_slices[lang]
            scores[:a] *= other_languages
            scores[b:] *= other_languages
            return start, scores
        return self.label_scores(text, kind, lang)

    def _group(
        self, table: _KindTable, start: int, scores: np.ndarray
    ) -> dict[int, tuple[float, int, int]]:
        """Concept → (best label score, its row, labels among the top rows), best first."""
        best: dict[int, tuple[float, int, int]] = {}
        if not len(scores):
            return best
        k = min(self.candidates * 3, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[scores[top] > 0]
        for row in top[np.argsort(-scores[top])] + start:
            ci = int(table.concept[row])
            if ci in best:
                b = best[ci]
                best[ci] = (b[0], b[1], b[2] + 1)
            elif len(best) < self.candidates:
                best[ci] = (float(scores[row - start]), int(row), 1)
        return best

    def _description_scores(self, text: str, kind: str) -> tuple[np.ndarray, list[int]]:
        """Query-description word TF-IDF cosine per concept position, and the best concepts."""
        model = self.extras.setdefault("descriptions", {})
        if kind not in model:
            positions = [i for i, c in enumerate(self.concepts) if c.kind == kind]
            vectorizer = TfidfVectorizer(analyzer=_english_words, sublinear_tf=True)
            docs = [f"{self.concepts[i].label}. {self.concepts[i].description}" for i in positions]
            matrix = vectorizer.fit_transform(docs).T.tocsr()
            model[kind] = (vectorizer, matrix, np.array(positions))
        vectorizer, matrix, positions = model[kind]
        sims = np.asarray((vectorizer.transform([text]) @ matrix).todense()).ravel()
        by_concept = np.zeros(len(self.concepts))
        by_concept[positions] = sims
        top = np.argsort(-sims)[:DESCRIPTION_CANDIDATES]
        return by_concept, positions[top[sims[top] > 0]].tolist()

    def _any_row(self, table: _KindTable, concept: int, lang: str | None) -> int:
        """A label row to show for a concept found by its description."""
        for code in (lang, "en"):
            rows = self._preferred.get(code or "")
            if rows is not None and rows[concept] >= 0:
                return int(rows[concept])
        return int(np.flatnonzero(table.concept == concept)[0])

    def matched_label(self, kind: str, row: int) -> tuple[str, str]:
        """Text and language of a label row."""
        table = self.tables[kind]
        return table.text(row), table.lang(row)

    def display_label(self, concept: int, lang: str | None) -> tuple[str, str]:
        """Preferred label in `lang`, English when that language has none."""
        rows = self._preferred.get(lang or "")
        if rows is not None and rows[concept] >= 0:
            return self.tables[self.concepts[concept].kind].text(int(rows[concept])), lang or ""
        return self.concepts[concept].label, "en"
