"""`fairmatch run`: serve the web app with Flask's own server (gunicorn in production)."""

from __future__ import annotations

import click

from web.cli import main


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def run(host: str, port: int) -> None:
    """Serve the web app."""
    from web.app import create_app

    app = create_app()
    click.echo(f"Fairmatch on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False)
