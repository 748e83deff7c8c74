"""Sending one e-mail through the SMTP server of the settings (MAIL_*), with smtplib."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

TIMEOUT_SECONDS = 10


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def configured(config: Mapping[str, Any]) -> bool:
    return bool(config["MAIL_SERVER"] and config["MAIL_FROM"])


def send(config: Mapping[str, Any], to: str, subject: str, body: str) -> None:
    """Send a plain-text message to one address; MailError when it could not be sent."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, subject
    message.set_content(body)
    try:
        server = (config["MAIL_SERVER"], config["MAIL_PORT"])
        with smtplib.SMTP(*server, timeout=TIMEOUT_SECONDS) as smtp:
            if config["MAIL_STARTTLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc
