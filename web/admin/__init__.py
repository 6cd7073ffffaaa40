"""The admins' pages."""
