"""The client list and record: create, edit, export, erase."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clients", __name__, template_folder="templates", url_prefix="/coach/clients")
