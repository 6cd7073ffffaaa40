"""Employer pages: registration, the checklist with evidence, the status, the own users."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("employer", __name__, template_folder="templates", url_prefix="/employer")
