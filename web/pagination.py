"""Which page of a long list was asked for (``?page=N``), and how long a page is."""

from __future__ import annotations

from typing import TypedDict

from flask import current_app, request

from matcher.pagination import PER_PAGE


class PageArgs(TypedDict):
    page: int | None
    per_page: int


def page_args() -> PageArgs:
    """The requested page for a list service; text, zero or negative mean the first page.

    The service turns a page past the end into the last one. PAGE_SIZE (config) lets tests
    show paging with a few rows.
    """
    number = request.args.get("page", type=int)
    return PageArgs(
        page=number if number is not None and number > 0 else None,
        per_page=current_app.config.get("PAGE_SIZE", PER_PAGE),
    )
