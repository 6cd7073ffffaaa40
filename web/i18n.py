"""The language of each page: the user's saved choice, else the visitor's, else the browser's."""

from __future__ import annotations

from flask import request, session
from flask_babel import get_locale
from flask_login import current_user

from matcher.accounts.models import LANGUAGES

LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}


def select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def language_name(code: str) -> str:
    """A language's name in the page's language ("Duits" on a Dutch page), else its code."""
    locale = get_locale()
    return (locale.languages.get(code) if locale else None) or code
