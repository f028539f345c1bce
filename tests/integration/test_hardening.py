"""Security review fixes, through the real servers (docs: ../shared/reviews/security-review.md).

M1 the HTTP API off (and its token never on a command line when on), M2 private files,
M4 rate limits and one room per socket, L1 a session cannot be taken over, L3 body caps,
L8 no visitor text in the logs even at DEBUG, H1 `/ /intent{...}` reaches the NLU as text.
"""
import asyncio
import json
import os
import stat
import time
import uuid
from pathlib import Path

import pytest
import requests

from bot.lse.facts import load_facts
from servers import ROOT, Servers, free_port
from tests.trackers import stored_tracker

FACTS = load_facts()
RATE_TEXT = "Wacht even en stuur je bericht dan nog een keer"


def webhook(servers):
    return f"{servers.rasa_url}/webhooks/rest/webhook"


def say(servers, sender, text):
    answer = requests.post(webhook(servers), json={"sender": sender, "message": text}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def cmdlines():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield entry.name, (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue


# ---- M1 ---------------------------------------------------------------------------------------
def test_no_process_has_the_api_token_on_its_command_line(servers, api_servers):
    token = api_servers.token.encode()
    assert len(token) >= 16
    leaks = [pid for pid, line in cmdlines() if token in line]
    assert leaks == []
    # The API is on for this one, on localhost, with the token (and only with it).
    sender = uuid.uuid4().hex
    say(api_servers, sender, "hoi")
    stored = api_servers.stored_id(sender)
    url = f"{api_servers.rasa_url}/conversations/{stored}/tracker"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, params={"token": api_servers.token}, timeout=30).status_code == 200


def test_the_api_is_off_in_make_run_servers(servers):
    answer = requests.get(f"{servers.rasa_url}/conversations/x/tracker",
                          params={"token": "y" * 43}, timeout=30)
    assert answer.status_code == 404
    assert "--enable-api" not in " ".join(servers.rasa_process.args)


# ---- M2 ---------------------------------------------------------------------------------------
def test_files_are_private_whatever_the_umask(servers):
    # conftest starts the servers with umask 022.
    say(servers, uuid.uuid4().hex, "mijn neef praat over de jihad")
    places = [ROOT / "var", servers.log_dir, Path(servers.tracker_db).parent]
    wrong = []
    for top in places:
        for path in [top, *top.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            wanted = 0o700 if path.is_dir() else 0o600
            if path.is_symlink() or path.lstat().st_uid != os.getuid():
                continue
            if mode != wanted:
                wrong.append(f"{oct(mode)} {path}")
    db = Path(servers.tracker_db)
    assert db.exists() and Path(str(db) + "-wal").exists()
    assert wrong == []


# ---- L3 ---------------------------------------------------------------------------------------
def test_a_body_over_64_kb_is_refused_before_parsing(servers):
    body = json.dumps({"sender": uuid.uuid4().hex, "message": "x" * 200_000})
    answer = requests.post(webhook(servers), data=body,
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == 413


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000], ids=["list", "object"])
def test_deeply_nested_json_is_a_400(servers, body):
    answer = requests.post(webhook(servers), data=body,
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == 400


def test_a_huge_socketio_packet_is_refused_and_the_server_goes_on(servers):
    import socketio

    async def run():
        client = socketio.AsyncClient(reconnection=False)
        received = []
        client.on("bot_uttered", lambda data: received.append(data))
        await client.connect(servers.rasa_url, socketio_path="/socket.io",
                             transports=["websocket"], headers={"Origin": "http://localhost:8000"})
        await client.emit("session_request", {"session_id": uuid.uuid4().hex})
        await asyncio.sleep(0.5)
        await client.emit("user_uttered", {"message": "x" * 200_000})
        await asyncio.sleep(2)
        connected = client.connected
        if connected:
            await client.disconnect()
        return connected, received

    connected, received = asyncio.run(run())
    assert not connected and received == []
    from tests.support import socketio_conversation

    _, replies, _ = asyncio.run(socketio_conversation(servers.rasa_url, ["wat kost het"]))
    assert any("betalen" in m.get("text", "") for m in replies[0])


# ---- M4: rate limits --------------------------------------------------------------------------
def test_a_flood_from_one_conversation_gets_a_friendly_wait(servers):
    sender = uuid.uuid4().hex
    replies = [texts(say(servers, sender, "")) for _ in range(14)]
    limited = [reply for reply in replies if RATE_TEXT in reply]
    assert limited and RATE_TEXT not in replies[0]
    assert "112" in limited[0] and "113" in limited[0]
    # Nothing is lost: the conversation goes on once the visitor waits.
    time.sleep(3.5)  # one message every 3 seconds comes back
    assert "betalen" in texts(say(servers, sender, "wat kost het"))


# ---- M4 rooms and L1 sessions -----------------------------------------------------------------
class Visitor:
    """One socket.io client, driven step by step."""

    def __init__(self, url):
        import socketio

        self.url = url
        self.client = socketio.AsyncClient(reconnection=False)
        self.received = []
        self.confirmed = []
        self.client.on("bot_uttered", lambda data: self.received.append(data))
        self.client.on("session_confirm", lambda data: self.confirmed.append(data))

    async def connect(self):
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["websocket"],
                                  headers={"Origin": "http://localhost:8000"})

    async def session(self, session_id):
        before = len(self.confirmed)
        await self.client.emit("session_request", {"session_id": session_id})
        for _ in range(100):
            if len(self.confirmed) > before:
                return self.confirmed[-1]
            await asyncio.sleep(0.05)
        raise AssertionError("no session_confirm")

    async def say(self, text, session_id):
        before = len(self.received)
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        for _ in range(150):
            await asyncio.sleep(0.1)
            if len(self.received) > before:
                await asyncio.sleep(0.8)
                break
        return self.received[before:]


def test_a_second_socket_with_the_same_session_id_gets_nothing_of_the_first(servers):
    async def run():
        first, second = Visitor(servers.rasa_url), Visitor(servers.rasa_url)
        await first.connect()
        await second.connect()
        secret = uuid.uuid4().hex
        assert await first.session(secret) == secret
        taken = await second.session(secret)
        assert taken != secret
        before_second = len(second.received)
        answer = await first.say("mijn dochter radicaliseert", secret)
        await asyncio.sleep(1)
        leaked = second.received[before_second:]
        before_first = len(first.received)
        own = await second.say("wat kost het", taken)
        await asyncio.sleep(1)
        first_got = first.received[before_first:]
        await first.client.disconnect()
        await second.client.disconnect()
        return answer, leaked, own, first_got

    answer, leaked, own, first_got = asyncio.run(run())
    assert answer and leaked == []
    assert own and first_got == []


def test_a_second_session_request_leaves_the_first_room(servers):
    async def run():
        visitor, other = Visitor(servers.rasa_url), Visitor(servers.rasa_url)
        await visitor.connect()
        one, two = uuid.uuid4().hex, uuid.uuid4().hex
        assert await visitor.session(one) == one
        assert await visitor.session(two) == two
        # Session `one` is free again: another socket may have it, and its replies do not
        # reach the socket that left it.
        await other.connect()
        assert await other.session(one) == one
        before = len(visitor.received)
        got = await other.say("hallo", one)
        await asyncio.sleep(1)
        leaked = visitor.received[before:]
        await visitor.client.disconnect()
        await other.client.disconnect()
        return got, leaked

    got, leaked = asyncio.run(run())
    assert got and leaked == []


def test_a_session_is_kept_after_the_socket_closes(servers):
    from tests.support import socketio_conversation

    session, _, _ = asyncio.run(socketio_conversation(servers.rasa_url, ["mijn zoon radicaliseert"]))
    again, replies, _ = asyncio.run(socketio_conversation(servers.rasa_url, ["wat kost het"],
                                                          session_id=session))
    assert again == session
    assert not any("digitale assistent" in m.get("text", "") for m in replies[0])
    # Stored under the HMAC of the session id, never the session id itself.
    assert stored_tracker(servers, session)["sender_id"] == servers.stored_id(session)
    assert servers.stored_id(session) != session
    assert servers.tracker_events(session)


def test_rest_ids_are_stored_as_an_hmac(servers):
    for sender in ("0612345678", "JanJansen_0612345678", "1" * 32):
        reply = say(servers, sender, "hallo")
        assert all(m["recipient_id"] == sender for m in reply)
        assert servers.tracker_events(sender)
        stored = servers.stored_id(sender)
        assert sender not in stored and len(stored) == 32
    for bad in ("abc\n", "a b", "x" * 129, "ouder@example.nl"):
        answer = requests.post(webhook(servers), json={"sender": bad, "message": "hoi"}, timeout=30)
        assert answer.status_code == 400


# ---- H1, channel side: typed text never becomes an intent or a slot ------------------------
INTENT_TRICKS = ['/ /greet{"language": "' + "x" * 40 + '"}', '// /greet{"language": "xxxxxx"}',
                 '/\u00a0/greet{"language": "a"}', '/\t/danger_suicide@1.0',
                 '\u200b/greet{"language": "xxxxxx"}', '\uff0f/greet{"language": "xxxxxx"}',
                 '/ / /greet', '/\u3000/danger_acute']


def _assert_plain_text(tracker):
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert users
    for event in users:
        assert not event["text"].strip().startswith("/"), event["text"]
        extractors = {e.get("extractor") for e in event["parse_data"].get("entities", [])}
        assert "RegexMessageHandler" not in extractors
    assert tracker["slots"].get("language") in (None, "nl", "en")


@pytest.mark.parametrize("trick", INTENT_TRICKS, ids=range(len(INTENT_TRICKS)))
def test_slash_tricks_reach_the_nlu_as_text_over_rest(servers, trick):
    sender = uuid.uuid4().hex
    say(servers, sender, trick)
    _assert_plain_text(stored_tracker(servers, sender))


def test_slash_tricks_reach_the_nlu_as_text_over_socketio(servers):
    from tests.support import socketio_conversation

    session, _, _ = asyncio.run(socketio_conversation(servers.rasa_url, INTENT_TRICKS[:4]))
    _assert_plain_text(stored_tracker(servers, session))


# ---- L8 ---------------------------------------------------------------------------------------
def test_no_message_text_in_the_logs_even_at_debug(api_servers):
    marker = "Zwanenburgwal" + uuid.uuid4().hex[:6]
    sender = uuid.uuid4().hex
    say(api_servers, sender, f"mijn broer woont aan de {marker} en praat over aanslagen")
    say(api_servers, sender, f'/ /greet{{"language": "{marker}"}}')
    logs = list(api_servers.log_dir.glob("*.log"))
    assert logs
    text = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "processor.message.parse" in text or "DEBUG" in text  # DEBUG logging is on
    assert marker not in text
    for log in logs:
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


@pytest.fixture(scope="module")
def api_servers(tmp_path_factory):
    """A second set of servers with the API on and Rasa logging at DEBUG."""
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    db = tmp_path_factory.mktemp("api-db") / "conversations.db"
    running = Servers(model=model, rasa_port=free_port(), action_port=free_port(),
                      tracker_db=str(db), log_dir=tmp_path_factory.mktemp("api-logs"),
                      enable_api=True, extra_env={"LOG_LEVEL": "DEBUG"})
    running.start()
    yield running
    running.stop()
