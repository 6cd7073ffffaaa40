"""Text normalisation for ESCO labels and queries: casefold, strip accents, tokenise, n-grams."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus a mark.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ŀ": "l",
    }
)
# Combining marks (accents, umlauts, the breve of Cyrillic й) of the Basic Multilingual Plane.
_COMBINING = re.compile(
    "[" + "".join(chr(c) for c in range(0x10000) if unicodedata.combining(chr(c))) + "]"
)
_FOLD_CHARS = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")
_NON_WORD = re.compile(r"[^\w]+|_")


def _strip_accents(text: str) -> str:
    text = _FOLD_CHARS.sub(lambda m: _FOLD[ord(m.group())], text)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def normalize(text: str) -> str:
    """Casefold, strip accents, keep words (letters and digits) separated by one space."""
    text = text.casefold()
    if not text.isascii():
        text = _strip_accents(text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Normalised words of a text."""
    return normalize(text).split()


def stop_words(lang: str | None) -> frozenset[str]:
    """Stop words of a language; of every known language when none is given; English if unknown."""
    if not lang:
        return _ALL_STOPS
    return STOP_WORDS.get(lang, STOP_WORDS["en"])


def content_words(text: str, lang: str | None = None) -> list[str]:
    """Normalised words without stop words (of `lang`, or of every known language)."""
    stops = stop_words(lang)
    return [w for w in tokenize(text) if w not in stops and len(w) > 1]


def char_ngrams(word: str, n: int = 3) -> tuple[str, ...]:
    """Character n-grams of one word padded with spaces (sklearn's char_wb), without repeats."""
    padded = f" {word} "
    if len(padded) <= n:
        return (padded,)
    return tuple(dict.fromkeys(padded[i : i + n] for i in range(len(padded) - n + 1)))


def word_prefixes(word: str, shortest: int = 4, longest: int = 10) -> tuple[str, ...]:
    """Prefixes of a word: what a half-typed word shares with the full one, and a crude stem.

    At least four letters long, so they never collide with the character trigrams.
    """
    return tuple(word[:k] for k in range(shortest, min(len(word), longest) + 1))


def label_variants(label: str) -> list[str]:
    """A label and each half of a label written "a/b" (gendered forms, synonyms)."""
    variants = [label]
    if "/" in label:
        parts = [p.strip() for p in label.split("/")]
        variants.extend(p for p in parts if len(p) > 2)
    return variants


# Small generic function-word lists, written by hand; they only damp words in sentences.
_RAW_STOPS = {
    "en": (
        "a about across all also an and any are as at be been being both but by can could do does "
        "each e eg etc for from g had has have he her his how i ie if in into is it its itself "
        "may me might more most must my no not of on or other others our ours out over per she "
        "should so such than that the their them then there these they this those to too us very "
        "via was we were what when where which while who whom why will with would you your yours "
        "able ability based candidate candidates excellent experience experienced great good "
        "ideal ideally include includes including join knowledge look looking opportunity plus "
        "position preferred required requirement requirements responsibilities responsible "
        "seeking skill skills strong well year years use using new company organization client "
        "clients role"
    ),
    "nl": (
        "kennis een voor in onze hun ze moeten zijn dit tot om heeft wordt te door die en maar "
        "met werk uit dat het zij zal jij zullen naar bij over van of u kunnen ons ook moet is we "
        "aan hebben je wij niet de op ervaring kan worden als er"
    ),
    "de": (
        "um mit haben in wir werden von auf eine am ein muss den kenntnisse vom die zum des über "
        "nicht einen ihr zur an wird einem für es bei im müssen erfahrung oder können ist zu nach "
        "kann sie kein auch und ihre dem der hat aus du eines sind einer sowie als das keine"
    ),
    "fr": (
        "sur cette d avec sont elle connaissances et pas ou expérience aux en des nous ce par la "
        "il ne elles un les leur une son dans sa leurs pour de vous ils ses que du le qui est ces "
        "au l"
    ),
    "es": (
        "una unos experiencia sus como para los en la y nuestro con un es conocimientos las su "
        "unas son o más el al se por no del de que lo nuestra"
    ),
    "sv": (
        "är för om inte den en ett har av i och det till på ni eller att ska från de vi kan du "
        "erfarenhet vara med som"
    ),
}
STOP_WORDS = {
    lang: frozenset(normalize(w) for w in words.split()) for lang, words in _RAW_STOPS.items()
}
_ALL_STOPS = frozenset().union(*STOP_WORDS.values())
