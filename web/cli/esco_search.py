"""Commands of this area are registered on `web.cli.main` here."""

from web.cli import main  # noqa: F401
