"""placements pages."""
