"""vetting pages."""
