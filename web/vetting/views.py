"""Mediator pages for vetting: the waiting submissions, the review and decision, suspensions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("vetting", __name__, template_folder="templates", url_prefix="/mediator")
