"""Text stays text, links are safe, and the pages and APIs are locked down."""
import json
import urllib.request

import pytest
import socketio
from playwright.sync_api import expect

from tests.browser.chat import Chat

VISITOR_MARKUP = '<img src=x onerror="window.__lseXss=1"><b>vet</b> <script>window.__lseXss=2</script>'
BOT_MARKUP = ('<b>vet</b> <img src=x onerror="window.__lseXss=3"> <a href="javascript:alert(1)">klik</a> '
              'Zie www.example.nl. Of javascript:alert(1)')


def test_markup_from_the_visitor_and_the_bot_is_shown_as_text(page, site):
    sockets = []

    def route(ws):
        ws.connect_to_server()   # everything still goes to the real Rasa server
        sockets.append(ws)

    page.route_web_socket("**/socket.io/**", route)
    chat = Chat(page, site).visit("/")
    chat.open()
    chat.say(VISITOR_MARKUP)
    expect(chat.user_messages.first).to_have_text("Jij: " + VISITOR_MARKUP)
    chat.wait_for_bot("digitale assistent")
    assert sockets, "the widget must talk over a WebSocket"

    # A bot message with markup, as the server would send it over socket.io.
    event = ["bot_uttered", {"text": BOT_MARKUP,
                             "quick_replies": [{"title": "<i>knop</i>", "payload": "hallo"}]}]
    sockets[-1].send("42" + json.dumps(event))
    message = chat.bot_messages.filter(has_text="<b>vet</b>")
    expect(message).to_have_count(1)
    expect(message).to_contain_text('<img src=x onerror="window.__lseXss=3">')
    expect(chat.choice("<i>knop</i>")).to_be_visible()
    for tag in ("b", "img", "script", "i"):
        expect(chat.log.locator(tag)).to_have_count(0)
    links = message.locator("a")
    expect(links).to_have_count(1)
    expect(links.first).to_have_attribute("href", "https://www.example.nl")
    expect(links.first).to_have_attribute("rel", "noopener noreferrer")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__lseXss") is None


def test_nothing_of_the_conversation_in_urls(page, site):
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda ws: urls.append(ws.url))
    chat = Chat(page, site).visit("/")
    chat.open()
    chat.say("Mijn broer praat over de jihad")
    chat.wait_for_bot("Familieondersteuning")
    session_id = chat.stored()["sessionId"]
    assert urls
    for url in urls:
        assert session_id not in url and "broer" not in url and "jihad" not in url, url


def test_pages_have_a_strict_content_security_policy(page, site):
    answer = page.goto(site + "/")
    headers = answer.headers
    policy = headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    # No inline script on our pages, and nothing the policy had to block.
    assert page.locator("script:not([src])").count() == 0
    chat = Chat(page, site)
    chat.open()
    chat.say("hallo")
    chat.wait_for_bot("digitale assistent")
    page.goto(site + "/over-ons")
    expect(chat.panel).to_be_visible()
    assert page.console_errors == []


def _get(url, origin):
    request = urllib.request.Request(url, headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.headers, json.load(answer)


def test_api_answers_only_allowed_origins(servers, site):
    allowed = f"http://localhost:{servers.web_port}"
    headers, body = _get(site + "/api/status?lang=nl", allowed)
    assert headers["Access-Control-Allow-Origin"] == allowed
    assert isinstance(body["open"], bool) and body["text"].startswith("Nu ")
    headers, _ = _get(site + "/api/widget-config", "http://evil.example")
    assert "Access-Control-Allow-Origin" not in headers


def test_socketio_refuses_other_origins(servers):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(servers.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                       headers={"Origin": "http://evil.example"}, wait_timeout=5)
    client.disconnect()
