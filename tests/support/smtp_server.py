"""A real SMTP server on loopback (aiosmtpd): STARTTLS on one port, implicit TLS on another.

Its certificate comes from a throwaway CA made by trustme; tests trust that CA through the
channel's `tls_ca_file` setting, the same way a user trusts a private relay, so certificate
verification stays on. Login needs the test password, and only over TLS.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "watcher@example.com"
PASSWORD = "abcd efgh ijkl mnop"  # shaped like a Gmail app password


@dataclass(frozen=True, slots=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    mail: EmailMessage
    port: int


class _Recorder:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        port = server.transport.get_extra_info("sockname")[1]
        with self.lock:
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), mail, port))
        return "250 2.0.0 OK: queued"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    accepted = (isinstance(auth_data, LoginPassword) and auth_data.login == USERNAME.encode()
                and auth_data.password == PASSWORD.encode())
    if accepted:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Both listeners on 127.0.0.1; use as a context manager."""

    def __init__(self, folder: Path, *, starttls_port: int | None = None) -> None:
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        self.ca_file = folder / "test-smtp-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self._recorder = _Recorder()
        self.starttls_port = starttls_port or free_port()
        self.tls_port = free_port()
        common: dict[str, Any] = {"hostname": "127.0.0.1", "authenticator": _authenticate}
        self._controllers = [
            Controller(self._recorder, port=self.starttls_port, tls_context=context, require_starttls=True,
                       auth_require_tls=True, **common),
            # The whole connection is TLS here, but aiosmtpd only counts STARTTLS as TLS for AUTH.
            Controller(self._recorder, port=self.tls_port, ssl_context=context, auth_require_tls=False, **common),
        ]

    def __enter__(self) -> SmtpServer:
        for controller in self._controllers:
            controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        for controller in self._controllers:
            controller.stop()

    @property
    def received(self) -> list[Received]:
        with self._recorder.lock:
            return list(self._recorder.received)

    def channel_settings(self, *, security: str = "starttls", **overrides: Any) -> dict[str, Any]:
        """Email channel settings for config.yaml that reach this server and trust its CA."""
        settings: dict[str, Any] = {
            "name": "email", "type": "email", "to": ["buyer@example.org"], "username": USERNAME,
            "password": PASSWORD, "host": "127.0.0.1", "security": security,
            "port": self.starttls_port if security == "starttls" else self.tls_port,
            "tls_ca_file": str(self.ca_file), "timeout_seconds": 5,
        }
        settings.update(overrides)
        return settings
