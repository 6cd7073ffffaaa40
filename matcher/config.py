"""Configuration read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The source checkout when installed editable, else the working directory."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def instance_dir() -> Path:
    return Path(os.environ.get("FAIRMATCH_INSTANCE", project_root() / "instance"))


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'fairmatch.db'}"


def default_esco_dir() -> Path:
    return Path(os.environ.get("ESCO_DIR", project_root() / "data" / "esco"))


# Secret keys that mean "nobody configured one"; refused outside development and tests.
DEVELOPMENT_SECRET = "dev-only-not-secret"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    environment: str  # development | test | production
    esco_dir: Path
    login_max_failures: int
    login_window_seconds: int
    # Evidence uploads live here, never under web/static: only a checked view serves them.
    upload_dir: Path
    # A match enters the mediators' queue only at or above this score (the engine's scale, 0-1),
    # and a client has at most this many open proposals, so the queue stays workable.
    proposal_threshold: float = 0.3
    proposals_per_client: int = 5
    # Without an SMTP host, mail stays in the outbox, which admins read at /admin/outbox.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "fairmatch@localhost"
    smtp_starttls: bool = True
    # Retention: clients inactive longer than this are anonymised; closed signals lose their text.
    retention_client_days: int = 730
    retention_signal_days: int = 365
    # How many reverse proxies in front of the app append to X-Forwarded-For. 0: the header is
    # ignored, so a client cannot pick its own address and escape the rate limits.
    trusted_proxies: int = 0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read every setting from the environment (or the given mapping)."""
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        secret_key=env.get("SECRET_KEY") or DEVELOPMENT_SECRET,
        environment=env.get("FAIRMATCH_ENV", "development"),
        esco_dir=Path(env.get("ESCO_DIR") or default_esco_dir()),
        login_max_failures=int(env.get("LOGIN_MAX_FAILURES", "5")),
        login_window_seconds=int(env.get("LOGIN_WINDOW_SECONDS", "900")),
        upload_dir=Path(env.get("UPLOAD_DIR") or instance_dir() / "uploads"),
        proposal_threshold=float(env.get("PROPOSAL_THRESHOLD", "0.3")),
        proposals_per_client=int(env.get("PROPOSALS_PER_CLIENT", "5")),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=int(env.get("SMTP_PORT", "587")),
        smtp_user=env.get("SMTP_USER", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_from=env.get("SMTP_FROM", "fairmatch@localhost"),
        smtp_starttls=env.get("SMTP_STARTTLS", "1").lower() not in ("0", "false", "no"),
        retention_client_days=int(env.get("RETENTION_CLIENT_DAYS", "730")),
        retention_signal_days=int(env.get("RETENTION_SIGNAL_DAYS", "365")),
        trusted_proxies=int(env.get("TRUSTED_PROXIES", "0")),
    )
