"""Rankings with their explanations: vacancies for a client, clients for a vacancy."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__, template_folder="templates")
