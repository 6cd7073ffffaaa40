"""queue pages."""
