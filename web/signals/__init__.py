"""signals pages."""
