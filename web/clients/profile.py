"""The profile a client keeps: a printable page and a PDF in their language."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("client_profile", __name__, template_folder="templates", url_prefix="/coach/clients")
