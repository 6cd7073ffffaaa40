"""Backups: the database and the evidence uploads in one file, and restoring them."""
