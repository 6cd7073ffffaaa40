"""Organisations, users, roles and sign-in."""
