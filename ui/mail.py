"""Email through the program's SMTP server, for self-service password resets. Off unless configured:

| setting | meaning |
|---|---|
| PEERSIM_SMTP_HOST | the SMTP server (required) |
| PEERSIM_SMTP_PORT | its port: 587 by default (465 means TLS from the start) |
| PEERSIM_SMTP_USER, PEERSIM_SMTP_PASSWORD | credentials, when the server wants them |
| PEERSIM_SMTP_FROM | the sender, e.g. "PeerSim <peersim@example.org>" (required) |
| PEERSIM_SMTP_STARTTLS | "true" (default) to encrypt with STARTTLS before anything is sent; "false" for a local relay |
| PEERSIM_PUBLIC_URL | the address people open PeerSim at, e.g. https://peersim.example.org (required) |

Links in emails are built from PEERSIM_PUBLIC_URL, never from the request's Host header, which anyone can set.
This is I/O: it lives in ui/, beside the routes that use it, and never in scenarios/ or scoring/.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool
    public_url: str


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def settings() -> Settings | None:
    """The SMTP settings from the environment, or None when email is not configured."""
    host = os.environ.get("PEERSIM_SMTP_HOST", "").strip()
    sender = os.environ.get("PEERSIM_SMTP_FROM", "").strip()
    public_url = os.environ.get("PEERSIM_PUBLIC_URL", "").strip().rstrip("/")
    if not host or not sender or not public_url:
        return None
    port = int(os.environ.get("PEERSIM_SMTP_PORT", "").strip() or 587)
    return Settings(
        host=host,
        port=port,
        user=os.environ.get("PEERSIM_SMTP_USER", ""),
        password=os.environ.get("PEERSIM_SMTP_PASSWORD", ""),
        sender=sender,
        starttls=_flag(os.environ.get("PEERSIM_SMTP_STARTTLS"), port != 465),
        public_url=public_url,
    )


def configured() -> bool:
    return settings() is not None


def reset_message(config: Settings, to: str, name: str, link: str, hours: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = "Reset your PeerSim password"
    _, address = parseaddr(config.sender)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message.set_content(
        f"Hello {name},\n\n"
        "Someone, hopefully you, asked to reset the password of your PeerSim account. To choose a new password, "
        f"open this link within {hours} hours:\n\n"
        f"{link}\n\n"
        "The link works once. After you choose a new password, PeerSim signs your account out everywhere, so "
        "please sign in again with the new one.\n\n"
        "If you did not ask for this, you can ignore this email: your password stays as it is.\n\n"
        "PeerSim\n"
    )
    return message


def send(config: Settings, message: EmailMessage) -> bool:
    """Send one message; True when the server took it. A failure is logged (never the message, which may hold a
    reset link) and returns False: the person asking was told the same either way."""
    try:
        if config.port == 465:  # TLS from the first byte
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
        with server:
            if config.starttls and config.port != 465:
                server.starttls(context=ssl.create_default_context())
            if config.user:
                server.login(config.user, config.password)
            server.send_message(message)
        return True
    except (OSError, smtplib.SMTPException) as error:
        log.warning("PeerSim could not send an email through %s:%s (%s)", config.host, config.port, type(error).__name__)
        return False
