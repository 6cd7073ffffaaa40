"""Signals (the meldroute): reporting, the reporter's own signals, triage, personal links."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("signals", __name__, template_folder="templates")
