"""Text → ESCO skills: the skills a job-ad sentence or an intake note mentions or describes.

Each skill label of the text's language is scored against the text three ways: word TF-IDF
(stop words out, damped counts), the best character-trigram match of a window of one to four
words (typos, inflections), and a little similarity to the skill's description. A small prior
from how often ESCO marks the skill essential for an occupation breaks near-ties toward common
skills.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy.orm import Session

from matcher.skills.index import LabelIndex
from matcher.skills.search import get_index
from matcher.skills.text import content_words, stop_words, tokenize

WORD_WEIGHT = 1.0
WINDOW_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 0.15
PRIOR_WEIGHT = 0.05
MAX_WINDOW = 4


@dataclass(frozen=True)
class ExtractedSkill:
    uri: str
    label: str
    score: float


class SkillExtractor:
    """Scores every skill against a text by its labels of one language (None: of every language).

    Built once per index and language.
    """

    def __init__(self, index: LabelIndex, lang: str | None):
        self.index, self.lang = index, lang
        table = index.tables["skill"]
        self.start, self.stop = table.lang_slices[lang] if lang else (0, table.size)
        self.row_concept = table.concept[self.start : self.stop]
        texts = [table.text(r) for r in range(self.start, self.stop)]

        def analyzer(text: str) -> list[str]:
            return content_words(text, lang)

        self._words = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
        self._label_words = self._words.fit_transform(texts).T.tocsr()
        concepts = index.concepts
        self.skills = np.unique(self.row_concept)
        self._descriptions = None
        docs = [concepts[c].description for c in self.skills] if lang in ("en", None) else []
        # An import without descriptions leaves no words to fit: scikit-learn would raise.
        if any(analyzer(doc) for doc in docs):
            self._desc = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
            self._descriptions = self._desc.fit_transform(docs).T.tocsr()
        counts = np.array([concepts[c].essential_count for c in self.skills], dtype=np.float32)
        self._prior = np.log1p(counts) / max(np.log1p(counts.max()), 1.0)

    def _window_scores(self, words: list[str]) -> np.ndarray:
        """Best trigram score of each label against any window of one to four words."""
        # Windows keep inner stop words ("work in teams") but never start or end with one.
        stops = stop_words(self.lang)
        best = np.zeros(self.stop - self.start, dtype=np.float64)
        for size in range(1, MAX_WINDOW + 1):
            for i in range(len(words) - size + 1):
                if words[i] in stops or words[i + size - 1] in stops:
                    continue
                _, scores = self.index.label_scores(
                    " ".join(words[i : i + size]), "skill", self.lang
                )
                np.maximum(best, scores, out=best)
        return best

    def score(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Concept positions of the skills and their scores for a text."""
        words = content_words(text, self.lang)
        rows = np.zeros(self.stop - self.start, dtype=np.float64)
        if words:
            query = self._words.transform([text])
            rows += WORD_WEIGHT * np.asarray((query @ self._label_words).todense()).ravel()
            rows += WINDOW_WEIGHT * self._window_scores(tokenize(text))
        per_concept = np.zeros(len(self.index.concepts), dtype=np.float64)
        np.maximum.at(per_concept, self.row_concept, rows)
        scores = per_concept[self.skills]
        if self._descriptions is not None and words:
            query = self._desc.transform([text])
            desc = np.asarray((query @ self._descriptions).todense()).ravel()
            scores = scores + DESCRIPTION_WEIGHT * desc
        scores = scores + PRIOR_WEIGHT * self._prior * (scores > 0)
        return self.skills, scores

    def extract(
        self, text: str, top: int = 10, display_lang: str | None = None
    ) -> list[ExtractedSkill]:
        """The best `top` skills for a text, best first, labelled in `display_lang` if it can."""
        skills, scores = self.score(text)
        order = np.argsort(-scores)[:top]
        scale = (WORD_WEIGHT + WINDOW_WEIGHT + DESCRIPTION_WEIGHT + PRIOR_WEIGHT) or 1.0
        return [
            ExtractedSkill(
                self.index.concepts[skills[i]].uri,
                self.index.display_label(int(skills[i]), display_lang or self.lang)[0],
                round(min(float(scores[i]) / scale, 1.0), 4),
            )
            for i in order
            if scores[i] > 0
        ]


def extractor_for(index: LabelIndex, lang: str | None) -> SkillExtractor:
    """The cached extractor of an index for a text's language.

    No language given: English. A language without skill labels: the labels of every
    language at once (cognates and English loan words still match).
    """
    skills = index.tables.get("skill")
    if skills is None:
        raise ValueError("no ESCO skills loaded")
    if lang is None and "en" in skills.lang_slices:
        lang = "en"
    elif lang not in skills.lang_slices:
        lang = None
    cache = index.extras.setdefault("extractors", {})
    if lang not in cache:
        cache[lang] = SkillExtractor(index, lang)
    return cache[lang]


def extract_skills(
    session: Session, text: str, *, lang: str | None = None, top: int = 10
) -> list[ExtractedSkill]:
    """Suggest the ESCO skills a job-ad sentence or intake note mentions, best first."""
    index = get_index(session)
    if not text.strip() or top <= 0 or "skill" not in index.tables:
        return []
    return extractor_for(index, lang).extract(text, top, display_lang=lang)
