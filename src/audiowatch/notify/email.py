"""The email channel: SMTP with a verified TLS connection (STARTTLS on 587 or TLS on 465)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import ClassVar

import structlog

from audiowatch.config.model import EmailChannel as EmailSettings
from audiowatch.errors import ConfigError
from audiowatch.notify import email_mime
from audiowatch.notify.base import Channel, ChannelRefused, DeliveryFailure, Message, PermanentFailure, TemporaryFailure

log = structlog.get_logger(__name__)

_GMAIL_ADVICE = (
    "For Gmail, use an app password (Google Account > Security > 2-Step Verification > App passwords); "
    "Google revokes app passwords when the account password changes."
)
# Gmail's daily sending limit answers 550 5.4.5; it clears within a day (reference §7).
_DAILY_LIMIT_RETRY_SECONDS = 3600.0


class EmailChannel(Channel):
    """Sends mail over SMTP with a verified TLS connection (Gmail by default): a plain-text and an
    HTML part with every listing value escaped, one mail per notification or one digest per tick."""

    kind: ClassVar[str] = "email"

    def __init__(self, settings: EmailSettings, ca_file: Path | None = None) -> None:
        super().__init__(settings.name)
        self._settings = settings
        self._ca_file = ca_file
        self._where = f"{settings.host}:{settings.effective_port}"
        self._smtp: smtplib.SMTP | None = None

    def check(self) -> None:
        if self._ca_file is not None and not self._ca_file.is_file():
            raise ConfigError(f'notifications.channels "{self.name}".tls_ca_file: no such file: {self._ca_file}')

    def send(self, message: Message) -> None:
        self._deliver(self._mail([message]))

    def send_digest(self, messages: Sequence[Message]) -> None:
        self._deliver(self._mail(messages))

    def close(self) -> None:
        if self._smtp is not None:
            # The mails went out already; a rude goodbye changes nothing.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None

    def _mail(self, messages: Sequence[Message]) -> EmailMessage:
        settings = self._settings
        return email_mime.build_mail(messages, sender=settings.sender, recipients=settings.to,
                                     subject_prefix=settings.subject_prefix, channel=self.name,
                                     now=datetime.now(UTC))

    def _deliver(self, mail: EmailMessage) -> None:
        """Send over the tick's connection; open a fresh one once if the old one was dropped."""
        reused = self._smtp is not None
        try:
            self._send_on(self._connection(), mail)
            return
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            if not reused:
                raise TemporaryFailure(f"{self._where} closed the connection while sending") from None
        try:
            self._send_on(self._connection(), mail)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            raise TemporaryFailure(f"{self._where} closed the connection while sending") from None

    def _send_on(self, smtp: smtplib.SMTP, mail: EmailMessage) -> None:
        try:
            refused = smtp.send_message(mail)
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPRecipientsRefused as error:
            raise self._recipients_failure(error) from None
        except smtplib.SMTPResponseException as error:
            raise self._reply_failure(error.smtp_code, error.smtp_error, "refused the mail") from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise TemporaryFailure(f"sending through {self._where} failed: {error}") from None
        if refused:
            # Delivered to the others: a retry would repeat it to them, so report and go on.
            log.warning("email_recipients_refused", channel=self.name, refused=sorted(refused))

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._open(self._tls_context())
            if settings.username is not None and settings.password is not None:
                smtp.login(settings.username, settings.password.get_secret_value())
            return smtp
        except DeliveryFailure:
            _quietly_close(smtp)
            raise
        except (OSError, smtplib.SMTPException) as error:
            _quietly_close(smtp)
            raise self._connect_failure(error) from None

    def _open(self, context: ssl.SSLContext) -> smtplib.SMTP:
        settings = self._settings
        host, port, timeout = settings.host, settings.effective_port, settings.timeout_seconds
        if settings.security == "tls":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            _quietly_close(smtp)
            raise ChannelRefused(f"{self._where} does not offer STARTTLS, and AudioWatch never logs in or "
                                 "sends in the clear; use a server that does, or security: tls (port 465)")
        # Always pass a context: without one smtplib does not check the certificate (reference §7).
        smtp.starttls(context=context)
        smtp.ehlo()
        return smtp

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self._ca_file is not None:
            context.load_verify_locations(cafile=str(self._ca_file))
        return context

    def _connect_failure(self, error: OSError | smtplib.SMTPException) -> DeliveryFailure:
        settings = self._settings
        if isinstance(error, ssl.SSLCertVerificationError):
            return ChannelRefused(
                f"the TLS certificate of {self._where} is not trusted ({error.verify_message}). "
                "For a private relay, set tls_ca_file to the CA certificate that signed it."
            )
        if isinstance(error, ssl.SSLError):
            return ChannelRefused(
                f"the TLS handshake with {self._where} failed ({error.reason}). Port 587 expects "
                "security: starttls and port 465 expects security: tls."
            )
        if isinstance(error, smtplib.SMTPAuthenticationError):
            reply = _text(error.smtp_error)
            return ChannelRefused(f"{settings.host} refused the login for {settings.username} "
                                  f"({error.smtp_code} {reply}). {_GMAIL_ADVICE}")
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return ChannelRefused(f"{self._where} does not accept a login; remove username and password")
        if isinstance(error, smtplib.SMTPResponseException):
            return self._reply_failure(error.smtp_code, error.smtp_error, "refused the connection")
        return TemporaryFailure(f"could not reach {self._where}: {error}")

    def _reply_failure(self, code: int, reply: bytes | str, what: str) -> DeliveryFailure:
        text = f"{self._where} {what} ({code} {_text(reply)})"
        if code >= 500 and "5.4.5" in _text(reply):
            return TemporaryFailure(text + "; the daily sending limit is reached", _DAILY_LIMIT_RETRY_SECONDS)
        if 400 <= code < 500:
            return TemporaryFailure(text)
        return PermanentFailure(text)

    def _recipients_failure(self, error: smtplib.SMTPRecipientsRefused) -> DeliveryFailure:
        replies = "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in error.recipients.items())
        if all(400 <= code < 500 for code, _ in error.recipients.values()):
            return TemporaryFailure(f"{self._where} deferred every recipient ({replies})")
        return ChannelRefused(f"{self._where} refused every recipient ({replies}); check `to`")

    def _drop(self) -> None:
        _quietly_close(self._smtp)
        self._smtp = None


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    with contextlib.suppress(OSError):  # closing a broken socket: nothing left to lose
        smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
