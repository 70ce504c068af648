"""The email channel against a real SMTP server on loopback (aiosmtpd with STARTTLS and TLS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audiowatch.config.load import load_config
from audiowatch.config.model import EmailChannel as EmailSettings
from audiowatch.errors import ConfigError
from audiowatch.events import Event, EventKind
from audiowatch.market import MarketContext
from audiowatch.match import Match
from audiowatch.notify import render
from audiowatch.notify.base import ChannelRefused, Message, TemporaryFailure
from audiowatch.notify.deliver import DeliveryPolicy, deliver_due
from audiowatch.notify.email import EmailChannel
from audiowatch.simulator.server import SimulatedSite
from audiowatch.store import outbox
from audiowatch.tick import run_tick
from tests.support.listings import make_listing
from tests.support.smtp_server import SmtpServer, free_port

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NASTY_TITLE = '<script>alert("x")</script> HD800 & <b>Utopia</b>'


def message(listing_id: int = 100001, **fields: Any) -> Message:
    return render.render_message(Match(Event(EventKind.NEW, make_listing(listing_id, **fields)), ("hd800",)))


@pytest.fixture
def email_channel(smtp_server: SmtpServer) -> Iterator[Callable[..., EmailChannel]]:
    """Make email channels for the loopback server; each is closed after the test, as a tick would."""
    opened: list[EmailChannel] = []

    def make(**overrides: Any) -> EmailChannel:
        settings = EmailSettings.model_validate(smtp_server.channel_settings(**overrides))
        opened.append(EmailChannel(settings, settings.tls_ca_file))
        return opened[-1]

    yield make
    for channel in opened:
        channel.close()


@pytest.mark.parametrize("security", ["starttls", "tls"], ids=["starttls-587-style", "implicit-tls-465-style"])
def test_email_arrives_with_a_text_and_an_html_part(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel], security: str
) -> None:
    sender = email_channel(security=security)
    sender.send(message())
    sender.close()
    [received] = smtp_server.received
    assert received.recipients == ("buyer@example.org",)
    assert received.mail["Subject"] == "[AudioWatch] New: Sennheiser HD800 S — $999.00 USD"
    assert received.mail.get_content_type() == "multipart/alternative"
    assert "Seller:     jay.doe (12 feedback)" in received.mail.get_body(("plain",)).get_content()
    assert "Open the listing on Head-Fi" in received.mail.get_body(("html",)).get_content()


def test_email_html_escapes_every_listing_value(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    sender = email_channel()
    sender.send(message(title=NASTY_TITLE, seller='"><img src=x onerror=alert(1)>',
                        url='https://www.head-fi.org/classifieds/x.1/?a=1&b="2"'))
    html = smtp_server.received[0].mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>Utopia" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; HD800 &amp; &lt;b&gt;Utopia&lt;/b&gt;" in html
    assert 'href="https://www.head-fi.org/classifieds/x.1/?a=1&amp;b=&quot;2&quot;"' in html
    assert NASTY_TITLE in smtp_server.received[0].mail.get_body(("plain",)).get_content()


def test_email_shows_market_context_in_both_parts_escaped(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    market = MarketContext(asks=37, below=4, median=1050.0, currency="<b>XYZ</b>")
    found = render.render_message(Match(Event(EventKind.NEW, make_listing(100001)), ("hd800",)), market)
    sender = email_channel()
    sender.send(found)
    mail = smtp_server.received[0].mail
    line = "11th percentile of 37 asks in the last 180 days, median 1,050.00 <b>XYZ</b>"
    assert f"Market:     {line}" in mail.get_body(("plain",)).get_content()
    assert "<td>11th percentile of 37 asks in the last 180 days, median 1,050.00 &lt;b&gt;XYZ&lt;/b&gt;</td>" \
        in mail.get_body(("html",)).get_content()


def test_email_message_id_is_the_same_when_an_event_is_sent_again(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    sender = email_channel()
    sender.send(message(1))
    sender.send(message(1))
    sender.send(message(2))
    ids = [received.mail["Message-ID"] for received in smtp_server.received]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0].endswith("@example.com>")


def test_email_several_messages_reuse_one_connection(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    sender = email_channel()
    for listing_id in range(3):
        sender.send(message(listing_id))
    assert sender._smtp is not None and len(smtp_server.received) == 3


def test_email_wrong_password_refuses_the_channel_with_app_password_advice(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    with pytest.raises(ChannelRefused) as caught:
        email_channel(password="wrong password").send(message())
    assert "535" in caught.value.reason and "app password" in caught.value.reason
    assert "wrong password" not in caught.value.reason
    assert smtp_server.received == []


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_untrusted_certificate_is_refused_and_names_tls_ca_file(smtp_server: SmtpServer, security: str) -> None:
    settings = EmailSettings.model_validate(smtp_server.channel_settings(security=security, tls_ca_file=None))
    with pytest.raises(ChannelRefused) as caught:
        EmailChannel(settings).send(message())
    assert "not trusted" in caught.value.reason and "tls_ca_file" in caught.value.reason
    assert smtp_server.received == []


def test_email_tls_on_the_starttls_port_says_which_setting_fits(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel]
) -> None:
    with pytest.raises(ChannelRefused) as caught:
        email_channel(security="tls", port=smtp_server.starttls_port).send(message())
    assert "security: starttls" in caught.value.reason


def test_email_server_down_is_a_temporary_failure(tmp_path: Path) -> None:
    settings = EmailSettings.model_validate({"name": "e", "type": "email", "to": "a@example.org",
                                             "from": "b@example.org", "host": "127.0.0.1", "port": free_port()})
    with pytest.raises(TemporaryFailure) as caught:
        EmailChannel(settings).send(message())
    assert "could not reach 127.0.0.1" in caught.value.reason


def test_email_digest_channel_sends_one_mail_for_everything_due(
    smtp_server: SmtpServer, email_channel: Callable[..., EmailChannel], connection: duckdb.DuckDBPyConnection,
    database_path: Path,
) -> None:
    items = [message(300000 + index, title=f"Listing {index}") for index in range(4)]
    outbox.enqueue(connection, [outbox.Pending(m.event_key, m.event_kind, 1, "email", m.rules, m.to_json())
                                for m in items], NOW)
    report = deliver_due(database_path, {"email": email_channel()}, NOW,
                         DeliveryPolicy(digest_channels=frozenset({"email"})))
    [received] = smtp_server.received
    assert report.sent == 4
    assert received.mail["Subject"] == "[AudioWatch] AudioWatch: 4 notifications"
    html = received.mail.get_body(("html",)).get_content()
    assert all(f"Listing {index}" in html for index in range(4))


def test_email_config_needs_a_sender_when_username_is_not_an_address(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("notifications:\n  channels:\n    - {name: e, type: email, to: a@b.org, username: relayuser,"
                    " password: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "set from:" in str(caught.value)


def test_email_missing_ca_file_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("notifications:\n  channels:\n    - name: e\n      type: email\n      to: a@b.org\n"
                    "      from: c@d.org\n      tls_ca_file: certs/relay-ca.pem\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:7: notifications.channels[0].tls_ca_file: no such file" in str(caught.value)


def test_email_down_server_leaves_the_notification_pending_and_a_later_tick_delivers_it(
    site: SimulatedSite, make_config: Callable[..., Path], tmp_path: Path, now: datetime
) -> None:
    port = free_port()
    with SmtpServer(tmp_path) as template:
        email = template.channel_settings(port=port)
    config = load_config(make_config(site.base_url, notifications={"channels": [email]}))
    run_tick(config)  # seeds
    site.catalog.add_listing(now, "Sennheiser HD800 - down server", "full-size", price=800.0)
    down = run_tick(config, clock=lambda: now + timedelta(minutes=5))
    assert (down.delivery.sent, down.delivery.deferred) == (0, 1)

    with SmtpServer(tmp_path, starttls_port=port) as server:
        later = run_tick(config, clock=lambda: now + timedelta(minutes=10))
        assert later.delivery.sent == 1
        assert [received.mail["Subject"] for received in server.received] == [
            "[AudioWatch] New: Sennheiser HD800 - down server — $800.00 USD"]
