"""Sending mail over SMTP as configured by ``SMTP_URL``.

``smtp://user:pass@host:port`` (plain, add ``?starttls=1`` to upgrade), ``smtps://...`` (TLS from
the start). Failures are sorted into temporary (try again later) and permanent (give up).
Under gevent the socket is cooperative: the worker greenlet waits, no request does.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_S = 20.0


class DeliveryError(Exception):
    """A send failed; ``temporary`` says whether a later attempt may succeed."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes", "on")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587 if starttls else 25),
            tls=tls,
            starttls=starttls and not tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpMailer:
    def __init__(self, url: str) -> None:
        self.config = SmtpConfig.parse(url)

    def send(self, message: EmailMessage) -> None:
        c = self.config
        try:
            if c.tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=TIMEOUT_S, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(c.host, c.port, timeout=TIMEOUT_S)
            with client:
                if c.starttls:
                    client.starttls(context=ssl.create_default_context())
                if c.username:
                    client.login(c.username, c.password or "")
                client.send_message(message)
        except smtplib.SMTPResponseException as exc:  # a reply code: 4xx retry, 5xx give up
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", temporary=exc.smtp_code < 500
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipients refused: {codes}", temporary=all(c < 500 for c in codes)
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:  # connection trouble
            raise DeliveryError(f"SMTP unavailable: {exc!r}", temporary=True) from exc
