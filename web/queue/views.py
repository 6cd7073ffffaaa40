"""The mediators' review queue of proposed matches."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("queue", __name__, template_folder="templates")
