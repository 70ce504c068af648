"""The optional Apprise channel, pointed at its json:// target on a loopback server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audiowatch.config.model import AppriseChannel as AppriseSettings
from audiowatch.errors import ConfigError
from audiowatch.notify import render
from audiowatch.notify.apprise import AppriseChannel
from audiowatch.notify.base import TemporaryFailure
from tests.support.http_recorder import RecordingServer

TOKEN = "s3cretTOKEN99"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def apprise_channel(url: str) -> AppriseChannel:
    channel = AppriseChannel(AppriseSettings.model_validate({"name": "phone", "type": "apprise", "url": url}))
    channel.check()
    return channel


def test_apprise_delivers_title_and_details_to_the_service() -> None:
    with RecordingServer() as server:
        apprise_channel(f"json://{server.address}/notify/{TOKEN}").send(render.sample_message("https://x.org", NOW))
        [request] = server.requests
    assert (request.method, request.path) == ("POST", f"/notify/{TOKEN}")
    assert request.body["title"].startswith("Test from AudioWatch: Sennheiser HD 800 S")
    assert request.body["message"].startswith(
        "Market:     11th percentile of 37 asks in the last 180 days, median $1,050.00 USD\nType:       For Sale"
    )


def test_apprise_refusal_is_temporary_and_hides_the_token() -> None:
    with RecordingServer(status=500) as server, pytest.raises(TemporaryFailure) as caught:
        apprise_channel(f"json://{server.address}/notify/{TOKEN}").send(render.sample_message("https://x.org", NOW))
    assert "error=500" in caught.value.reason
    assert TOKEN not in caught.value.reason


def test_apprise_url_it_does_not_understand_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        apprise_channel("carrierpigeon://coop/42")
    assert 'scheme "carrierpigeon"' in str(caught.value)
