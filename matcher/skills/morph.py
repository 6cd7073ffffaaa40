"""Light inflection folding for label matching: plural and gender endings of Romance languages.

Folded stems are an extra word feature next to the character trigrams and word prefixes, never
a replacement: "camareras" and "camarero", "vendeuse" and "vendeur", "infirmières" and
"infirmier" share one. Rules are written by hand from general grammar. Measured per language
(MELO titles, and ESCO labels finding their own concept by its other labels), folding helped
French, Spanish, Italian and Portuguese; rules for German, Dutch, Swedish, Danish, Norwegian,
Polish, Romanian and Bulgarian, and splitting of Germanic compounds, did not, so they are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

# (ending, replacement) per step, longest first; the first match of each step applies.
# Step 1 removes the plural, step 2 the gender ending, so plural and feminine forms both fold.
_IBERIAN = (
    (("ces", "z"), ("es", ""), ("as", "a"), ("os", "o"), ("s", "")),
    (("ora", "or"), ("a", ""), ("o", "")),
)
_RULES: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "es": _IBERIAN,
    "ca": _IBERIAN,
    "pt": (
        (("oes", "ao"), ("aes", "ao"), ("res", "r"), ("as", "a"), ("os", "o"), ("s", "")),
        (("ora", "or"), ("a", ""), ("o", "")),
    ),
    "it": (
        (("trice", "tore"), ("trici", "tore"), ("ista", "ist"), ("isti", "ist"), ("iste", "ist")),
        (("i", ""), ("e", ""), ("a", ""), ("o", "")),
    ),
    "fr": (
        (("aux", "al"), ("s", ""), ("x", "")),
        (
            ("trice", "teur"),
            ("euse", "eur"),
            ("ienne", "ien"),
            ("enne", "en"),
            ("ere", "er"),
            ("ive", "if"),
            ("e", ""),
        ),
    ),
}
FOLD_LANGS = frozenset(_RULES)
# Stems shorter than this are too ambiguous to share a feature.
MIN_STEM = 4


def fold(word: str, lang: str) -> str | None:
    """The folded stem of a normalised word in a language, None when it has no rules."""
    rules = _RULES.get(lang)
    if rules is None or len(word) <= MIN_STEM:
        return None
    stem = word
    for step in rules:
        for ending, repl in step:
            if stem.endswith(ending) and len(stem) - len(ending) + len(repl) >= MIN_STEM:
                stem = stem[: len(stem) - len(ending)] + repl
                break
    return stem


def stem_features(word: str, langs: Iterable[str]) -> tuple[str, ...]:
    """The folded stems of a word in each of the languages it is read in, without repeats."""
    stems = (fold(word, lang) for lang in langs)
    return tuple(dict.fromkeys(s for s in stems if s is not None))
