"""The Apprise channel (optional extra audiowatch[apprise]): ntfy, Telegram, Pushover and 100 more."""

from __future__ import annotations

import logging
import textwrap
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from audiowatch.config.model import AppriseChannel as AppriseSettings
from audiowatch.errors import ConfigError
from audiowatch.log import MASK
from audiowatch.notify import render
from audiowatch.notify.base import Channel, Message, TemporaryFailure

if TYPE_CHECKING:
    import apprise

_INSTALL = "pip install 'audiowatch[apprise]'"
# Path parts this long are usually tokens or chat ids; hidden in any reason shown.
_SECRET_PART_LENGTH = 6


class AppriseChannel(Channel):
    """Sends through Apprise to one service URL (ntfy://, tgram://, pover:// and many more), as a title
    and plain text; needs the optional extra audiowatch[apprise]."""

    kind: ClassVar[str] = "apprise"

    def __init__(self, settings: AppriseSettings) -> None:
        super().__init__(settings.name)
        self._url = settings.url.get_secret_value()
        self._service: apprise.Apprise | None = None

    def check(self) -> None:
        try:
            import apprise
        except ImportError:
            raise ConfigError(f'channel "{self.name}" has type apprise, but Apprise is not installed: {_INSTALL}') \
                from None
        service = apprise.Apprise()
        if not service.add(self._url):
            raise ConfigError(f'channel "{self.name}": Apprise does not understand its url (scheme '
                              f'"{urlsplit(self._url).scheme}"); see https://github.com/caronc/apprise/wiki')
        self._service = service

    def send(self, message: Message) -> None:
        import apprise

        if self._service is None:
            self.check()
        assert self._service is not None  # check() set it or raised
        # Apprise logs its failures instead of raising; capture them to say why, and so that
        # nothing reaches standard error unmasked.
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            delivered = self._service.notify(body=_body(message), title=message.headline,
                                             notify_type=_notify_type(message), body_format="text")
        if not delivered:
            raise TemporaryFailure(self._reason(captured.getvalue()))

    def _reason(self, logged: str) -> str:
        lines = [line.split(" - ", 2)[-1] for line in logged.splitlines() if line.strip()]
        detail = lines[-1] if lines else "no reason given"
        scheme = urlsplit(self._url).scheme
        return f"Apprise could not deliver to {scheme}:// ({self._masked(detail)})"

    def _masked(self, text: str) -> str:
        parts = urlsplit(self._url)
        secrets = [self._url, parts.password or "", *parts.path.split("/"), *parts.query.split("&")]
        for secret in sorted(secrets, key=len, reverse=True):
            if len(secret) >= _SECRET_PART_LENGTH:
                text = text.replace(secret, MASK)
        return text


def _body(message: Message) -> str:
    # The headline goes in the title; the body carries the rest, so services do not repeat it.
    details = textwrap.dedent("\n".join(render.format_text(message).splitlines()[1:]))
    return details.strip() or message.headline


def _notify_type(message: Message) -> Any:
    import apprise

    if message.event_kind == "ops":
        return apprise.NotifyType.WARNING
    return apprise.NotifyType.SUCCESS if message.event_kind == "new" else apprise.NotifyType.INFO
