"""Vacancies: the fair-work rules as data and their pure check."""
