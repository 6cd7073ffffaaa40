"""Vacancies: employers post and keep them; mediators review the ones the rules held."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("vacancies", __name__, template_folder="templates")
