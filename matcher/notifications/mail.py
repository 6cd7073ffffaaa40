"""The SMTP sender of the outbox, built from the SMTP_* settings (None when not configured)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from matcher.config import Settings
from matcher.notifications.models import OutboxMail
from matcher.notifications.services import Sender

TIMEOUT_SECONDS = 30


def smtp_sender(settings: Settings) -> Sender | None:
    """A sender that delivers one mail per call through SMTP, or None without an SMTP host."""
    if not settings.smtp_host:
        return None

    def send(mail: OutboxMail) -> None:
        message = EmailMessage()
        message["From"], message["To"] = settings.smtp_from, mail.to_address
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)

    return send
