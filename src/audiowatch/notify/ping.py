"""The dead-man switch: hit a URL (healthchecks.io style) after each good tick, never failing the tick."""

from __future__ import annotations

from urllib.parse import urlsplit


def ping(url: str, timeout_seconds: float = 10) -> str | None:
    """GET ``url``; return None when it answered 2xx, else what went wrong.

    The URL identifies the check and works as a password for it, so the problem names only
    its host, never the URL.
    """
    import requests

    host = urlsplit(url).netloc
    try:
        response = requests.get(url, timeout=timeout_seconds)
    except requests.Timeout:
        return f"{host} did not answer within {timeout_seconds:g} s"
    except requests.RequestException as error:
        return f"could not reach {host} ({type(error).__name__})"
    if not 200 <= response.status_code < 300:
        return f"{host} answered HTTP {response.status_code}"
    return None
