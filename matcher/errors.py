"""Domain exceptions; the web layer translates them to HTTP answers and the user's language.

A message is an English template with %(name)s placeholders and its values kept apart, so that
the web layer can look the template up in the catalogue (pybabel extracts the first argument of
these classes) and fill in the values afterwards.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can be told about in plain words."""

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class ValidationError(DomainError):
    pass


def N_(message: str) -> str:
    """Mark a message kept in a constant for translation; the web layer translates it later."""
    return message
