"""After approval: the employer's anonymised cards, the coach's view, placement follow-up."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("placements", __name__, template_folder="templates")
