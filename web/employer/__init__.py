"""employer pages."""
