"""A client's skills: typed, ticked from an occupation, or confirmed from notes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("client_skills", __name__, template_folder="templates", url_prefix="/coach/clients")
