"""A client's safety limits and consent records."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("client_safety", __name__, template_folder="templates", url_prefix="/coach/clients")
