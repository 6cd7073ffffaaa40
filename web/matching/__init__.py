"""matching pages."""
