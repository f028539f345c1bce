"""Helpers shared by the test suites: headless Chromium and a socket.io visitor."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # playwright is imported when a browser test runs
    from playwright.sync_api import Browser

CHROMIUM = os.environ.get("LSE_CHROMIUM", "/usr/bin/chromium")
# As root, without the sandbox; no background connections (the network is closed here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright: no browser is downloaded at test time."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


async def socketio_conversation(url: str, messages: Sequence[str],
                                transports: Sequence[str] = ("websocket",),
                                session_id: str | None = None,
                                origin: str = "http://localhost:8000",
                                ) -> tuple[str, list[list], str]:
    """Talks to the socketio channel as the widget does. Returns the session id, the bot
    messages received after each visitor message, and the transport used at the end."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    received: list = []
    confirmed = asyncio.get_running_loop().create_future()

    @client.on("bot_uttered")
    async def on_bot(data):
        received.append(data)

    @client.on("session_confirm")
    async def on_confirm(data):
        if not confirmed.done():
            confirmed.set_result(data)

    await client.connect(url, socketio_path="/socket.io", transports=list(transports),
                         headers={"Origin": origin})
    await client.emit("session_request", {"session_id": session_id or uuid.uuid4().hex})
    session = await asyncio.wait_for(confirmed, 15)
    replies = []
    for message in messages:
        before = len(received)
        await client.emit("user_uttered", {"message": message, "session_id": session})
        for _ in range(150):
            await asyncio.sleep(0.1)
            if len(received) > before:
                await asyncio.sleep(0.5)
                break
        replies.append(received[before:])
    transport = client.transport()
    await client.disconnect()
    return session, replies, transport
