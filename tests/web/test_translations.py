"""Every page in English and Dutch: the Dutch catalogue covers every message in the source."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
DUTCH = ROOT / "web" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")
# The same sources and keywords as `make babel-extract` (babel.cfg and the Makefile).
METHODS = [
    ("web/**/templates/**.html", "jinja2"),
    ("web/**.py", "python"),
    ("matcher/**.py", "python"),
]
KEYWORDS = DEFAULT_KEYWORDS | dict.fromkeys(
    ["_l", "lazy_gettext", "ValidationError", "InvalidTransition", "NotFound", "Forbidden",
     "RateLimited", "N_"]
)  # fmt: skip


def dutch_catalogue():
    with DUTCH.open("rb") as po_file:
        return read_po(po_file)


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_every_message_in_the_source_is_in_the_dutch_catalogue():
    catalogue = dutch_catalogue()
    extracted = {
        message if isinstance(message, str) else message[0]
        for *_where, message, _comments, _context in extract_from_dir(
            ROOT, METHODS, {}, KEYWORDS, strip_comment_tags=True
        )
    }
    missing = sorted(m for m in extracted if m and catalogue.get(m) is None)
    assert missing == [], "run `make babel-extract` and translate these"


def test_every_dutch_message_is_translated_and_checked():
    catalogue = dutch_catalogue()
    untranslated = [m.id for m in catalogue if m.id and not all(texts(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert (untranslated, fuzzy) == ([], [])


def test_dutch_messages_keep_the_placeholders():
    wrong = [
        m.id
        for m in dutch_catalogue()
        if m.id
        and any(
            set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(ids(m)[-1]))
            for text in texts(m)
            if text
        )
    ]
    assert wrong == []
