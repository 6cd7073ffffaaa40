"""Vacancies: the fair-work rules every vacancy passes before it is published."""
