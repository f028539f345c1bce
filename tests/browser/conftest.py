"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the real
action server, Rasa server and web app, started once per test run like the integration tests.

Every test gets a fresh browser context (its own session storage) at 1280 x 800 in Dutch.
The neutral site that quick exit opens is answered by Playwright itself (no network needed).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from servers import Servers, free_port
from tests.browser.chat import EXIT_URL_PATTERN
from tests.support import chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"



@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    if not (ROOT / "web" / "widget" / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("the widget's npm packages are missing: run 'make install'")
    db = tmp_path_factory.mktemp("db") / "conversations.db"
    running = Servers(model=model, rasa_port=free_port(), action_port=free_port(),
                      web_port=free_port(), tracker_db=str(db),
                      log_dir=tmp_path_factory.mktemp("logs"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def site(servers) -> str:
    """Base URL of the demo site, on localhost as in `make run`."""
    return f"http://localhost:{servers.web_port}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _neutral_site(route):
    route.fulfill(status=200, content_type="text/html",
                  body="<!doctype html><title>Het weer</title><h1>Het weer</h1>")


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(20_000)
    context.route(EXIT_URL_PATTERN, _neutral_site)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
