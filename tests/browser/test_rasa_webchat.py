"""Another socket.io client on another site: the `rasa-webchat` widget from the npm registry
(web/widget/node_modules/rasa-webchat, its standalone lib/index.js) on a page that a small
static server serves from another origin. LSE_ALLOWED_ORIGINS is the one setting that lets
that site in: the socket.io channel and the web app's /api both follow it.

These tests start their own servers (the session's servers allow only the demo site).
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import socketio
from playwright.sync_api import expect

from bot.lse.facts import load_facts
from tests.support import socketio_conversation

ROOT = Path(__file__).resolve().parents[2]
WEBCHAT = ROOT / "web" / "widget" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
FAMILY = "mijn zoon kijkt IS-filmpjes"

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Een andere site</title></head>
<body>
<h1>Een andere site met rasa-webchat</h1>
<div id="webchat" style="width: 400px; height: 600px"></div>
<script src="/rasa-webchat.js"></script>
<script>
  window.__events = [];
  fetch(%(web)s + "/api/status?lang=nl")
    .then(function (answer) { return answer.json(); })
    .then(function (status) { window.__status = status; })
    .catch(function (error) { window.__statusError = String(error); });
  WebChat.default({
    selector: "#webchat",
    socketUrl: %(rasa)s,
    socketPath: "/socket.io/",
    customData: {language: "nl"},
    embedded: true,
    initPayload: null,
    title: "LSE",
    params: {storage: "session"},
    // (rasa-webchat shows itself on its own session_confirm handler: not replaced here)
    onSocketEvent: {
      connect: function () { window.__events.push("connect"); },
      bot_uttered: function () { window.__events.push("bot_uttered"); }
    }
  }, null);
</script>
</body></html>
"""


class _Site:
    """A static site on its own port: the page above and rasa-webchat's script."""

    def __init__(self, page: str) -> None:
        script = WEBCHAT.read_bytes()
        body = page.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                if self.path == "/":
                    content, kind = body, "text/html; charset=utf-8"
                elif self.path == "/rasa-webchat.js":
                    content, kind = script, "text/javascript; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Site:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _run(coroutine):
    """asyncio.run in a thread of its own (Playwright's sync API owns this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _page(rasa_url: str, web_url: str) -> str:
    return PAGE % {"rasa": json.dumps(rasa_url), "web": json.dumps(web_url)}


@pytest.fixture(scope="module")
def ports():
    from servers import free_port

    return {"rasa": free_port(), "action": free_port(), "web": free_port()}


@pytest.fixture(scope="module")
def sites(ports) -> Iterator[tuple[_Site, _Site]]:
    """The site in LSE_ALLOWED_ORIGINS, and one that is not."""
    if not WEBCHAT.exists():
        pytest.fail("rasa-webchat is missing: run 'make install' (npm ci in web/widget)")
    page = _page(f"http://localhost:{ports['rasa']}", f"http://127.0.0.1:{ports['web']}")
    with _Site(page) as allowed, _Site(page) as other:
        yield allowed, other


@pytest.fixture(scope="module")
def embedding_servers(ports, sites, tmp_path_factory):
    from servers import Servers

    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    allowed, _ = sites
    running = Servers(model=model, rasa_port=ports["rasa"], action_port=ports["action"],
                      web_port=ports["web"], tracker_db=str(tmp_path_factory.mktemp("db") / "c.db"),
                      log_dir=tmp_path_factory.mktemp("logs"),
                      extra_env={"LSE_ALLOWED_ORIGINS": allowed.origin})
    running.start()
    yield running
    running.stop()


def test_rasa_webchat_on_an_allowed_site_has_a_conversation(embedding_servers, sites, context):
    allowed, _ = sites
    page = context.new_page()
    page.goto(allowed.origin + "/")
    field = page.locator(".rw-new-message")
    expect(field).to_be_visible(timeout=30_000)  # after the server's session_confirm
    field.fill(FAMILY)
    page.locator(".rw-send").click()
    expect(page.locator(".rw-client").first).to_contain_text(FAMILY)
    facts = load_facts()
    answer = page.locator(".rw-response", has_text="Familieondersteuning")
    expect(answer.first).to_be_visible(timeout=30_000)
    expect(page.locator(".rw-response", has_text=facts.phone).first).to_be_visible()
    # The same setting opened the web app's /api to this site (CORS).
    page.wait_for_function("window.__status !== undefined", timeout=10_000)
    assert page.evaluate("window.__status.language") == "nl"
    page.close()


def test_a_site_not_in_the_list_is_refused(embedding_servers, sites, context):
    _, other = sites
    page = context.new_page()
    # python-engineio answers the handshake of an origin that is not allowed with a 400
    # without CORS headers: the browser reports the request as failed.
    with page.expect_event("requestfailed", lambda request: "/socket.io/" in request.url):
        page.goto(other.origin + "/")
    page.wait_for_function("window.__statusError !== undefined", timeout=10_000)
    assert page.evaluate("window.__status") is None
    assert page.evaluate("window.__events") == []  # never connected
    expect(page.locator(".rw-new-message")).to_be_hidden()
    page.close()


def test_one_variable_decides_socketio_and_api(embedding_servers, sites):
    allowed, other = sites

    def cors(origin: str):
        request = urllib.request.Request(f"{embedding_servers.web_url}/api/widget-config",
                                         headers={"Origin": origin})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.headers.get("Access-Control-Allow-Origin")

    assert cors(allowed.origin) == allowed.origin
    assert cors(other.origin) is None
    assert cors(f"http://localhost:{embedding_servers.web_port}") is None  # not in the list now

    session, replies, _ = _run(socketio_conversation(
        embedding_servers.rasa_url, [FAMILY], origin=allowed.origin))
    assert any("Familieondersteuning" in m.get("text", "") for m in replies[0])
    for refused in (other.origin, f"http://localhost:{embedding_servers.web_port}"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            _run(socketio_conversation(embedding_servers.rasa_url, [FAMILY], origin=refused))
