"""The sites that may embed the chat: one setting, LSE_ALLOWED_ORIGINS.

A comma-separated list of origins (scheme://host[:port], as a browser sends them in its
Origin header). It decides both who may use the socket.io channel (bot/channels.py,
SocketIOInput) and which pages get CORS answers from the web app's /api routes
(web/settings.py, web/widget/routes.py). Unset: the web app's own demo site on localhost.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

VARIABLE = "LSE_ALLOWED_ORIGINS"
DEFAULT_ORIGINS: tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000")


def normalise(origin: str) -> str:
    """'https://Example.org/' -> 'https://example.org'; anything that is not an origin
    (a path, a wildcard, no scheme) is refused, so a typing error fails at start-up
    instead of silently refusing every visitor."""
    value = origin.strip().rstrip("/")
    parts = urlsplit(value)
    if (parts.scheme not in ("http", "https") or not parts.hostname or "*" in value
            or parts.path or parts.query or parts.fragment or parts.username or parts.password):
        raise ValueError(f"{VARIABLE}: {origin!r} is not an origin such as https://www.example.nl")
    return f"{parts.scheme}://{parts.netloc}".lower()


def parse(value: str) -> tuple[str, ...]:
    result = []
    for item in value.split(","):
        if item.strip() and normalise(item) not in result:
            result.append(normalise(item))
    return tuple(result)


def allowed_origins(env: Mapping[str, str] | None = None,
                    default: Iterable[str] = DEFAULT_ORIGINS) -> tuple[str, ...]:
    """The origins of LSE_ALLOWED_ORIGINS; when it is unset or empty, `default`."""
    value = (os.environ if env is None else env).get(VARIABLE, "")
    return parse(value) or parse(",".join(default))
