"""Two Rasa replicas share conversations through PostgreSQL (tracker store) and Redis (lock store).

The tests run in file order: the last one stops replica 0 for good.
"""
import asyncio
import random
import string
import threading

import requests

from tests.support import socketio_conversation

OPENING = "digitale assistent"
WEBHOOK = "/webhooks/rest/webhook"


def new_id():
    # Letters only: the channels refuse a sender id that redaction would change, and a hex id
    # can hold a run of digits that looks like a phone or account number.
    return "".join(random.choice(string.ascii_lowercase) for _ in range(24))


def post(url, sender, text):
    answer = requests.post(url + WEBHOOK, json={"sender": sender, "message": text}, timeout=60)
    assert answer.status_code == 200, (answer.status_code, answer.text)
    return answer


def say(url, sender, text):
    return "\n".join(message.get("text", "") for message in post(url, sender, text).json())


def tracker(cluster, replica, sender):
    """The conversation as the shared tracker store (PostgreSQL) holds it; the replicas run
    without the HTTP API. `replica` says which replica's view the test means: they share
    one store, so it is the same."""
    from tests.trackers import stored_tracker

    return stored_tracker(cluster.servers[replica], sender)


def stored(cluster, sender):
    """The conversation as PostgreSQL has it: [(type, intent, action, data), ...]."""
    return cluster.stored_events(sender)


def user_texts(cluster, sender):
    import json

    return [json.loads(data)["text"] for kind, _, _, data in stored(cluster, sender) if kind == "user"]


def assert_turns_complete(cluster, sender):
    """Every user message is followed by the bot's turn (ending in action_listen), and the
    conversation has exactly one session start: nothing interleaved, nothing lost."""
    events = stored(cluster, sender)
    kinds = [(kind, action) for kind, _, action, _ in events]
    assert sum(1 for kind, _ in kinds if kind == "session_started") == 1, kinds
    waiting = False
    for kind, action in kinds:
        if kind == "user":
            assert not waiting, f"a user message arrived before the bot finished: {kinds}"
            waiting = True
        elif kind == "action" and action == "action_listen":
            waiting = False
    assert not waiting, f"the last user message has no complete bot turn: {kinds}"


def test_consecutive_messages_on_different_replicas(cluster):
    sender = new_id()
    reply = say(cluster.replica_url(0), sender, "Ik ben docent en een leerling deelt nazimemes")
    assert OPENING in reply and "Consultatie" in reply
    # Replica 1 sees what replica 0 stored.
    assert tracker(cluster, 1, sender)["slots"]["role"] == "professional"

    reply = say(cluster.replica_url(1), sender, "wat kost dat eigenlijk")
    assert "betalen" in reply
    assert OPENING not in reply, "replica 1 started a new conversation"

    say(cluster.replica_url(0), sender, "nee sorry het gaat om mijn eigen dochter")
    assert tracker(cluster, 1, sender)["slots"]["role"] == "family"

    say(cluster.replica_url(1), sender, "hoe kan ik jullie bellen")
    slots = tracker(cluster, 0, sender)["slots"]
    assert slots["role"] == "family" and isinstance(slots["office_open"], bool)

    assert user_texts(cluster, sender) == [
        "Ik ben docent en een leerling deelt nazimemes", "wat kost dat eigenlijk",
        "nee sorry het gaat om mijn eigen dochter", "hoe kan ik jullie bellen"]
    assert_turns_complete(cluster, sender)
    assert len(tracker(cluster, 0, sender)["events"]) == len(tracker(cluster, 1, sender)["events"])


def test_nginx_round_robin_keeps_the_conversation(cluster):
    sender = new_id()
    texts = ["mijn zoon van 17 kijkt IS-filmpjes", "wat kost dat eigenlijk",
             "hoe kan ik jullie bellen", "dank je wel"]
    replicas, replies = [], []
    for text in texts:
        answer = post(cluster.public_url, sender, text)
        replicas.append(answer.headers["X-LSE-Replica"])
        replies.append("\n".join(message.get("text", "") for message in answer.json()))
    assert len(set(replicas)) == 2, f"nginx did not spread the messages: {replicas}"
    assert OPENING in replies[0] and "Familieondersteuning" in replies[0]
    assert all(OPENING not in reply for reply in replies[1:])
    assert "betalen" in replies[1]
    assert user_texts(cluster, sender) == texts
    assert_turns_complete(cluster, sender)
    assert tracker(cluster, 0, sender)["slots"]["role"] == "family"


def test_the_lock_store_serialises_one_conversation_across_replicas(cluster):
    """Messages of one conversation arriving at both replicas at once are handled one after
    the other (the Redis lock store); none is lost and no turn is interleaved. Rasa's own
    RedisLockStore fails this in about half of the rounds (bot/lock_store.py)."""
    texts = ["wat kost het", "is het anoniem", "wat is het LSE", "wanneer zijn jullie open",
             "wat is jullie telefoonnummer", "wat is jullie mailadres"]
    for _ in range(3):
        sender = new_id()
        say(cluster.replica_url(0), sender, "mijn broer radicaliseert")
        errors = []

        def send(index, text, sender=sender, errors=errors):
            try:
                post(cluster.replica_url(index % 2), sender, text)
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=send, args=(i, text)) for i, text in enumerate(texts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        stored_texts = user_texts(cluster, sender)
        assert stored_texts[0] == "mijn broer radicaliseert"
        assert sorted(stored_texts[1:]) == sorted(texts), "a message was lost"
        assert_turns_complete(cluster, sender)


async def _socketio_conversation(url, messages, transports, session_id=None):
    session, replies, transport = await socketio_conversation(
        url, messages, transports, session_id=session_id or new_id())
    texts = [" ".join(m.get("text", "") for m in reply) for reply in replies]
    return session, texts, transport


def test_socketio_through_nginx(cluster):
    # Polling first, then the upgrade to a websocket: needs a sticky upstream.
    session, replies, transport = asyncio.run(_socketio_conversation(
        cluster.public_url, ["mijn dochter radicaliseert", "wat kost het"],
        ["polling", "websocket"]))
    assert OPENING in replies[0] and "Familieondersteuning" in replies[0]
    assert "betalen" in replies[1] and OPENING not in replies[1]
    assert transport == "websocket"
    # A websocket-only reconnect continues the same conversation.
    _, replies, _ = asyncio.run(_socketio_conversation(
        cluster.public_url, ["hoe kan ik jullie bellen"], ["websocket"], session_id=session))
    assert replies[0] and OPENING not in replies[0]
    assert user_texts(cluster, session) == [
        "mijn dochter radicaliseert", "wat kost het", "hoe kan ik jullie bellen"]


def test_a_replica_stopped_mid_conversation_loses_nothing(cluster):
    sender = new_id()
    first = ["Ik zit in een groep en wil eruit", "wat kost het"]
    served = set()
    for text in first:
        served.add(post(cluster.public_url, sender, text).headers["X-LSE-Replica"])
    assert len(served) == 2
    before = stored(cluster, sender)
    assert tracker(cluster, 1, sender)["slots"]["role"] == "individual"

    cluster.kill_replica(0)  # SIGKILL: no graceful shutdown

    rest = ["is het anoniem", "hoe kan ik jullie bellen", "dank je wel"]
    replies = []
    for text in rest:
        answer = post(cluster.public_url, sender, text)
        assert answer.headers["X-LSE-Replica"].endswith(f":{cluster.rasa_ports[1]}")
        replies.append("\n".join(message.get("text", "") for message in answer.json()))
    assert all(reply and OPENING not in reply for reply in replies)

    after = stored(cluster, sender)
    assert after[:len(before)] == before, "events stored before the stop changed"
    assert user_texts(cluster, sender) == first + rest
    assert_turns_complete(cluster, sender)
    state = tracker(cluster, 1, sender)
    assert state["slots"]["role"] == "individual"
    assert isinstance(state["slots"]["office_open"], bool)
    # Every bot message the visitor got is in the tracker store.
    bot_texts = [event.get("text") for event in state["events"] if event["event"] == "bot"]
    for reply in replies:
        for line in filter(None, reply.split("\n")):
            assert any(text and line in text for text in bot_texts), line


def test_nginx_limits_each_address_and_logs_no_visitor_requests(cluster):
    """Security review M4/M5: limit_req per address on /webhooks/ and /socket.io/ (429 over
    the limit), no access-log lines for those paths, no client address in the log format."""
    import stat

    from cluster.launcher import NGINX_REST_BURST

    statuses = []

    def hit():
        answer = requests.post(cluster.public_url + WEBHOOK, json={"sender": new_id(), "message": ""},
                               timeout=60)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=hit) for _ in range(NGINX_REST_BURST * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert 429 in statuses and 200 in statuses
    access = (cluster.base_dir / "nginx" / "logs" / "access.log")
    content = access.read_text() if access.exists() else ""
    assert "/webhooks/" not in content and "/socket.io/" not in content
    log_format = (cluster.base_dir / "nginx" / "nginx.conf").read_text().split("log_format", 1)[1]
    assert "$remote_addr" not in log_format.split(";", 1)[0]
    # Our files in the cluster's directory are private (M2): secrets, logs, config.
    wrong = []
    for path in [cluster.base_dir / "secrets", cluster.base_dir / "sender_secret",
                 *cluster.log_dir.glob("*.log"), cluster.base_dir / "nginx" / "nginx.conf"]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o600:
            wrong.append(f"{oct(mode)} {path}")
    assert stat.S_IMODE(cluster.log_dir.stat().st_mode) == 0o700
    assert wrong == []
